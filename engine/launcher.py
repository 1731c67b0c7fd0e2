"""How to start a worker process, from source or from a frozen (PyInstaller) build.

A frozen app has no Python interpreter to run ``python -m``; instead an executable of the app
re-enters itself: both console entry points (``lanterna`` and ``lanterna-engine``) hand over to
the worker when their first argument is ``--worker``. The window's worker is its sibling
``lanterna-engine`` when the folder has one: that program was built without the GUI toolkit, so
the worker maps none of it (PyInstaller's start-up hook for the Qt bindings loads the Qt core
library into every process of the ``lanterna`` executable). From source, the interpreter imports the
worker directly with ``-c``, with the project root first on ``sys.path`` so the worker runs the
same code as its client whatever the current directory is.

``LANTERNA_WORKER_EXE`` names another executable to run as ``EXE --worker`` (an installed app
binary serving a development checkout, or a deliberately broken worker in crash tests).

The GPU probe (``--gpu-probe``, engine.gpu) is started the same way, minus that override: it
is this installation's own detection code, whatever serves as the worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WORKER_FLAG = "--worker"
# Runs engine.gpu's detection and prints what it found (see engine.gpu.probe_gpus).
GPU_PROBE_FLAG = "--gpu-probe"
# Set by the app: the worker lowers its own priority by this much (see engine.worker).
NICE_ENV = "LANTERNA_WORKER_NICE"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def worker_command() -> list[str]:
    override = os.environ.get("LANTERNA_WORKER_EXE")
    if override:
        return [override, WORKER_FLAG]
    if is_frozen():
        exe = Path(sys.executable)
        engine = exe.with_name("lanterna-engine" + exe.suffix)
        return [str(engine) if engine.is_file() else sys.executable, WORKER_FLAG]
    root = str(Path(__file__).resolve().parent.parent)
    code = f"import sys; sys.path.insert(0, {root!r}); from engine.worker import main; main()"
    return [sys.executable, "-c", code, WORKER_FLAG]


def gpu_probe_command() -> list[str]:
    """The GPU probe, started the way a worker is (a frozen app re-enters itself)."""
    if is_frozen():
        return [sys.executable, GPU_PROBE_FLAG]
    root = str(Path(__file__).resolve().parent.parent)
    code = (
        f"import sys; sys.path.insert(0, {root!r}); from engine.gpu import probe_main; probe_main()"
    )
    return [sys.executable, "-c", code, GPU_PROBE_FLAG]


def maybe_run_worker(argv: list[str]) -> None:
    """Become the worker (never returning) when launched as one, or the GPU probe."""
    if len(argv) > 1 and argv[1] == WORKER_FLAG:
        from engine.worker import main

        main()
        raise SystemExit(0)  # main() leaves through os._exit; this line is for type checkers
    if len(argv) > 1 and argv[1] == GPU_PROBE_FLAG:
        from engine.gpu import probe_main

        probe_main()
        raise SystemExit(0)
