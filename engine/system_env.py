"""The environment for programs that are not part of Lanterna (a web browser, nvidia-smi).

A frozen Linux build runs with ``LD_LIBRARY_PATH`` pointing into its own folder (PyInstaller's
bootloader puts it there and keeps the user's value in ``LD_LIBRARY_PATH_ORIG``). The app's
own worker needs that, but a system program started with it loads the bundle's copies of
libstdc++, GLib or readline instead of its own, and can fail in odd ways (``xdg-open`` and the
browser it starts are the classic case). Such programs get the user's environment back.
"""

from __future__ import annotations

import os
import subprocess
import sys

_ORIGINAL = "LD_LIBRARY_PATH_ORIG"


def system_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    bundle = getattr(sys, "_MEIPASS", None)
    if not getattr(sys, "frozen", False) or bundle is None or not sys.platform.startswith("linux"):
        return env
    original = env.pop(_ORIGINAL, None)
    if original:
        env["LD_LIBRARY_PATH"] = original
    else:
        env.pop("LD_LIBRARY_PATH", None)
    # Qt plug-in paths into the bundle would make a Qt program on the system load our plug-ins.
    for name in [k for k in env if k.startswith("QT_") and bundle in env[k]]:
        del env[name]
    return env


def run_system_tool(cmd: list[str], timeout: float) -> str | None:
    """A system tool's output (nvidia-smi, sysctl, vm_stat), or None when it is missing, fails
    or hangs (a wedged GPU driver can): always with the user's environment."""
    try:
        res = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, env=system_env()
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout if res.returncode == 0 else None
