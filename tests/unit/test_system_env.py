"""System programs started by a frozen build get the user's environment, not the bundle's."""

from __future__ import annotations

import sys

import pytest

from engine.system_env import system_env

BUNDLE = "/opt/lanterna/_internal"
FROZEN_ENV = {
    "LD_LIBRARY_PATH": BUNDLE,
    "LD_LIBRARY_PATH_ORIG": "/usr/local/cuda/lib64",
    "QT_PLUGIN_PATH": f"{BUNDLE}/PySide6/Qt/plugins",
    "QT_QPA_PLATFORM": "wayland",
    "HOME": "/home/ana",
}


def test_from_source_the_environment_is_passed_as_it_is() -> None:
    assert system_env(FROZEN_ENV) == FROZEN_ENV


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle path is Linux's")
def test_a_frozen_build_gives_back_the_users_library_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", BUNDLE, raising=False)
    env = system_env(FROZEN_ENV)
    assert env == {
        "LD_LIBRARY_PATH": "/usr/local/cuda/lib64",
        "QT_QPA_PLATFORM": "wayland",  # the user's choice, not a path into the bundle
        "HOME": "/home/ana",
    }
    without_original = {k: v for k, v in FROZEN_ENV.items() if k != "LD_LIBRARY_PATH_ORIG"}
    assert "LD_LIBRARY_PATH" not in system_env(without_original)
