"""Info.plist keys of Lanterna.app beyond the ones PyInstaller's BUNDLE writes itself.

The PyInstaller spec imports this module and passes the result as ``BUNDLE(info_plist=...)``::

    sys.path.insert(0, os.path.join(SPECPATH, "macos"))
    from plist_keys import info_plist
    app = BUNDLE(..., bundle_identifier="app.lanterna.Lanterna", info_plist=info_plist(version))

It uses the standard library only, so the spec can import it from any environment.
``python packaging/macos/plist_keys.py 0.1.0`` prints the keys as plist XML for a look.
"""

from __future__ import annotations

import plistlib
import sys
from typing import Any

BUNDLE_ID = "app.lanterna.Lanterna"
# Nobody publishes a system-wide UTI for GGUF files, so the app declares its own as an
# *imported* type (a format it reads but does not own). Once another app declares one too,
# macOS reconciles them by extension.
GGUF_UTI = "app.lanterna.gguf"
# MLX, the Apple-silicon backend, supports macOS 14.0 and later ("MLX is only available on
# devices running macOS >= 14.0", its install guide); on 13 its Metal library does not load.
# build.sh warns when a bundled binary was built for a newer macOS than this.
MINIMUM_MACOS = "14.0"


def info_plist(version: str) -> dict[str, Any]:
    """The extra Info.plist entries for an app of this ``version`` (e.g. ``"0.1.0"``)."""
    return {
        "CFBundleName": "Lanterna",
        "CFBundleDisplayName": "Lanterna",
        "CFBundleIdentifier": BUNDLE_ID,
        # The user-visible version and the build number; one release per version, so the same.
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSMinimumSystemVersion": MINIMUM_MACOS,
        # Without this key macOS renders the window at 1x and scales it up on Retina screens.
        "NSHighResolutionCapable": True,
        # Follow the system's light/dark appearance instead of forcing the light one.
        "NSRequiresAquaSystemAppearance": False,
        "LSApplicationCategoryType": "public.app-category.productivity",
        # Lanterna opens .gguf files (Finder's "Open With", double-click, dropping on the Dock
        # icon). "Viewer": it reads them and never writes them; "Default": it is a sensible
        # default handler, but another app that owns the format wins.
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": "GGUF model",
                "CFBundleTypeRole": "Viewer",
                "LSHandlerRank": "Default",
                "LSItemContentTypes": [GGUF_UTI],
            }
        ],
        "UTImportedTypeDeclarations": [
            {
                "UTTypeIdentifier": GGUF_UTI,
                "UTTypeDescription": "GGUF model",
                "UTTypeConformsTo": ["public.data"],
                "UTTypeTagSpecification": {"public.filename-extension": ["gguf"]},
            }
        ],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: plist_keys.py VERSION", file=sys.stderr)
        return 2
    sys.stdout.write(plistlib.dumps(info_plist(argv[0])).decode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
