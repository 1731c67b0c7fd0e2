"""An environment in which ``import mlx`` fails the way it does on a machine without MLX."""

from __future__ import annotations

import os
from pathlib import Path


def env_without_mlx(root: Path) -> dict[str, str]:
    """``os.environ`` plus a PYTHONPATH whose first entry is a package named ``mlx`` that raises
    the very error a missing module raises; ``root`` is a scratch folder to put it in.

    Processes started with it (a worker, the command line) see MLX as not installed, while
    everything else in the environment stays as it is.
    """
    stub = root / "no-mlx" / "mlx"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'mlx'\", name='mlx')\n", "utf-8"
    )
    path = os.pathsep.join(filter(None, [str(stub.parent), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}
