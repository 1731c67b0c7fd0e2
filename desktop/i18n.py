"""Translations through Qt's own system: ``.ts`` sources, compiled ``.qm`` files, QTranslator.

The sources are ``resources/translations/lanterna_<lang>.ts``. Widgets mark their strings with
``self.tr()``, so a string's context is the class that shows it, which is what lupdate records.
The ``.qm`` files are built, not committed: ``packaging/bootstrap.sh`` runs the compile step,
and so can anyone after editing a ``.ts``::

    python -m desktop.i18n update    # lupdate desktop/*.py into the .ts files (keeps translations)
    python -m desktop.i18n compile   # lrelease every .ts into lanterna_<lang>.qm beside it

English is the source language and needs no file. Both tools ship with PySide6, so nothing
else has to be installed.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from engine.resources import resource

log = logging.getLogger(__name__)

LANGUAGES = ("en", "pt_BR", "es")
SOURCE_LANGUAGE = "en"
TS_PREFIX = "lanterna_"

# The translators in use; QCoreApplication does not own them, and one collected by Python
# would silently take its strings with it.
_installed: list[QTranslator] = []


class TranslationToolMissing(RuntimeError):
    """lrelease or lupdate could not be found."""


def translations_dir() -> Path:
    return resource("translations")


def ts_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or translations_dir()).glob(f"{TS_PREFIX}*.ts"))


def resolve_language(setting: str, system_locale_name: str) -> str:
    """The language to show: one of :data:`LANGUAGES`.

    ``setting`` is the user's choice ("system" or a language); for "system" the OS locale
    decides. Every Portuguese locale gets Brazilian Portuguese, the only Portuguese shipped;
    any Spanish locale gets Spanish; everything else English.
    """
    name = system_locale_name if setting == "system" else setting
    language = name.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    if language == "pt":
        return "pt_BR"
    if language == "es":
        return "es"
    return SOURCE_LANGUAGE


def _qt_translations_dirs() -> list[Path]:
    # QLibraryInfo knows where this Qt keeps its translations (a frozen build's qt.conf moves
    # them); the PySide6 package folder is the usual place in a virtualenv.
    found = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    try:
        import PySide6

        found.append(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    except (ImportError, TypeError):
        pass
    return found


def _remove_installed(app: QCoreApplication) -> None:
    while _installed:
        app.removeTranslator(_installed.pop())


def install_translations(app: QCoreApplication, setting: str) -> str:
    """Install the app's translation (and Qt's, for standard buttons); return the language used.

    Call before building windows: widgets translate their strings when they are created. The
    files are a few kilobytes, read once at start. A language whose ``.qm`` is missing (not
    compiled yet) falls back to English with a warning in the log rather than a half-translated
    window.
    """
    language = resolve_language(setting, QLocale.system().name())
    _remove_installed(app)
    # Numbers follow the chosen language (8.192 in Portuguese); "system" keeps the OS format.
    QLocale.setDefault(QLocale.system() if setting == "system" else QLocale(language))
    if language == SOURCE_LANGUAGE:
        return language

    ours = QTranslator()
    qm = translations_dir() / f"{TS_PREFIX}{language}.qm"
    if not ours.load(str(qm)):
        log.warning("no compiled translation at %s; run 'python -m desktop.i18n compile'", qm)
        return SOURCE_LANGUAGE

    qt_own = QTranslator()
    for folder in _qt_translations_dirs():
        if qt_own.load(f"qtbase_{language}", str(folder)):
            app.installTranslator(qt_own)
            _installed.append(qt_own)
            break
    # Installed last so it is searched first.
    app.installTranslator(ours)
    _installed.append(ours)
    return language


def _find_tool(name: str) -> list[str]:
    """The command that runs the Qt tool ``name`` (lrelease, lupdate) shipped with PySide6."""
    exe = ".exe" if sys.platform == "win32" else ""
    candidates: list[Path] = []
    try:
        import PySide6

        candidates.append(Path(PySide6.__file__).resolve().parent / f"{name}{exe}")
    except (ImportError, TypeError):
        pass
    candidates.append(Path(sys.executable).parent / f"pyside6-{name}{exe}")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return [str(path)]
    on_path = shutil.which(f"pyside6-{name}")
    if on_path:
        return [on_path]
    raise TranslationToolMissing(
        f"Qt's {name} was not found (looked for {', '.join(str(p) for p in candidates)} and "
        f"pyside6-{name} on PATH). It ships with PySide6: install it in this environment with "
        "'pip install PySide6-Essentials'."
    )


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {done.returncode}: {output}")


def compile_translations(out_dir: Path | None = None) -> list[Path]:
    """Run lrelease on every ``.ts``; write ``lanterna_<lang>.qm`` (beside the ``.ts`` unless
    ``out_dir`` is given) and return the files written."""
    lrelease = _find_tool("lrelease")
    written: list[Path] = []
    for ts in ts_files():
        target_dir = out_dir or ts.parent
        target_dir.mkdir(parents=True, exist_ok=True)
        qm = target_dir / f"{ts.stem}.qm"
        _run([*lrelease, "-silent", str(ts), "-qm", str(qm)])
        written.append(qm)
    return written


def update_translations() -> list[Path]:
    """Run lupdate over ``desktop/*.py`` into every ``.ts``: new strings arrive unfinished,
    existing translations are kept, and strings no longer in the code stay as obsolete entries
    (a translation is not thrown away because a string was removed for a while)."""
    lupdate = _find_tool("lupdate")
    sources = sorted(str(p) for p in Path(__file__).resolve().parent.glob("*.py"))
    targets = [str(p) for p in ts_files()]
    if not targets:
        raise RuntimeError(f"no {TS_PREFIX}*.ts files in {translations_dir()}")
    _run([*lupdate, "-silent", "-locations", "relative", *sources, "-ts", *targets])
    return [Path(t) for t in targets]


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m desktop.i18n", description="Update or compile Lanterna's translations."
    )
    ap.add_argument("command", choices=("compile", "update"))
    args = ap.parse_args(argv)
    try:
        paths = compile_translations() if args.command == "compile" else update_translations()
    except RuntimeError as exc:  # TranslationToolMissing included
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(("wrote " if args.command == "compile" else "updated ") + str(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
