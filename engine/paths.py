"""Where Lanterna keeps its files.

Everything comes from platformdirs, except that one environment variable, ``LANTERNA_HOME``,
moves all of them under a single folder (tests, portable installs, several profiles side by
side). Nothing here creates folders on import; callers ask for the folder they are about to use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Lanterna"
HOME_ENV = "LANTERNA_HOME"
MODELS_ENV = "LANTERNA_MODELS_DIR"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    cache: Path
    logs: Path
    models: Path


def app_paths() -> AppPaths:
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        data, config, cache, logs = root / "data", root / "config", root / "cache", root / "logs"
    else:
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        data = Path(dirs.user_data_dir)
        config = Path(dirs.user_config_dir)
        cache = Path(dirs.user_cache_dir)
        logs = Path(dirs.user_log_dir)
    models_override = os.environ.get(MODELS_ENV)
    models = Path(models_override).expanduser() if models_override else data / "models"
    return AppPaths(data=data, config=config, cache=cache, logs=logs, models=models)
