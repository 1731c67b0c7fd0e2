"""The engine stays headless: importing every engine module never loads Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parents[2]


def test_engine_never_imports_qt() -> None:
    modules = [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    modules = [m for m in modules if m != "engine.__main__"]
    assert len(modules) > 15
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'desktop')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "", f"engine imported: {res.stdout.strip()}"


def test_engine_sources_do_not_mention_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "engine").rglob("*.py")
        if "PySide6" in path.read_text("utf-8") or "from desktop" in path.read_text("utf-8")
    ]
    assert offenders == []
