"""The Linux installers as a user gets them: the AppImage run with ``--smoke``, and the .deb
installed with ``apt-get install ./…deb`` and its installed app run with ``--smoke``.

Both are built by ``packaging/linux/build.sh`` around the frozen app the session's other
packaging tests use. Installing the .deb changes the machine, so it happens only where that is
expected (``CI`` set, or ``LANTERNA_TEST_INSTALL_DEB=1``, as root with apt-get); elsewhere the
package is unpacked with ``dpkg-deb -x`` and run from there.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, clean_env

APP_ID = "app.lanterna.Lanterna"
SMOKE_TIMEOUT_S = 600

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(sys.platform != "linux", reason="Linux installers"),
]


@pytest.fixture(scope="module")
def installers(app_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "LANTERNA_FROZEN_DIR": str(app_dir)}
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build.sh"), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    print(f"\n{done.stdout.strip()}")
    yield out
    shutil.rmtree(out, ignore_errors=True)


def _smoke(exe: Path | str, tmp: Path, extra_env: dict[str, str] | None = None) -> str:
    env = {**clean_env(tmp / "home"), "XDG_CACHE_HOME": str(tmp / "cache"), **(extra_env or {})}
    shot = tmp / "shot.png"
    done = subprocess.run(
        [str(exe), "--smoke", "--screenshot", str(shot)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ok = [line for line in done.stderr.splitlines() if line.startswith("smoke: ok:")]
    assert len(ok) == 1, done.stderr[-3000:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width >= 800 and height >= 500
    return ok[0]


def test_the_appimage_runs_the_smoke_test(installers: Path, tmp_path: Path) -> None:
    [image] = installers.glob("Lanterna-*-x86_64.AppImage")
    size = image.stat().st_size
    print(f"\nAppImage: {size / 2**20:.0f} MiB")
    assert os.access(image, os.X_OK)
    # No FUSE here (nor in many containers): the image unpacks itself and runs from there.
    _smoke(image, tmp_path, {"APPIMAGE_EXTRACT_AND_RUN": "1"})
    extracted = list((tmp_path / "cache").rglob("usr/lib/lanterna/lanterna"))
    assert len(extracted) == 1


def _deb_contents(deb: Path) -> set[str]:
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[5].removeprefix(".") for line in listing.splitlines()}


def test_the_deb_holds_the_app_and_its_desktop_integration(installers: Path) -> None:
    [deb] = installers.glob("lanterna_*_amd64.deb")
    print(f"\n.deb: {deb.stat().st_size / 2**20:.0f} MiB")
    info = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Package", "Architecture", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: lanterna" in info and "Architecture: amd64" in info
    files = _deb_contents(deb)
    for path in (
        "/usr/bin/lanterna",
        "/usr/bin/lanterna-engine",
        "/usr/lib/lanterna/lanterna",
        "/usr/lib/lanterna/lanterna-engine",
        f"/usr/share/applications/{APP_ID}.desktop",
        f"/usr/share/metainfo/{APP_ID}.metainfo.xml",
        f"/usr/share/mime/packages/{APP_ID}.xml",
        f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
    ):
        assert path in files, path
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert f"/usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png" in files


def _may_install() -> bool:
    wanted = bool(os.environ.get("CI")) or os.environ.get("LANTERNA_TEST_INSTALL_DEB") == "1"
    return wanted and os.geteuid() == 0 and shutil.which("apt-get") is not None


def test_the_deb_installs_and_the_installed_app_runs(installers: Path, tmp_path: Path) -> None:
    [deb] = installers.glob("lanterna_*_amd64.deb")
    if not _may_install():
        # Not allowed to change this machine: the same files, unpacked where a test may write.
        root = tmp_path / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        _smoke(root / "usr" / "lib" / "lanterna" / "lanterna", tmp_path)
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = subprocess.run(
        ["apt-get", "install", "-y", "-q", str(deb)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    try:
        assert Path("/usr/bin/lanterna").resolve() == Path("/usr/lib/lanterna/lanterna")
        _smoke("/usr/bin/lanterna", tmp_path)
        validate = subprocess.run(
            ["desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop"],
            capture_output=True,
            text=True,
        )
        assert validate.returncode == 0, validate.stdout + validate.stderr
        # shared-mime-info's trigger ran: a .gguf file is now known by its glob and magic.
        mime = Path("/usr/share/mime/application/x-gguf.xml")
        assert mime.is_file()
    finally:
        remove = subprocess.run(
            ["apt-get", "remove", "-y", "-q", "lanterna"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert remove.returncode == 0, remove.stderr[-3000:]
    assert not Path("/usr/lib/lanterna").exists()
