"""Fixtures shared by all test folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import protocol as p
from engine.client import EngineClient
from engine.models.demo import ensure_demo_model
from tests.support.harmony_oracle import HarmonyOracle, load_oracle
from tests.support.tiny_gptoss import build_tiny_gptoss_gguf


@pytest.fixture(scope="session")
def harmony_oracle(tmp_path_factory: pytest.TempPathFactory) -> HarmonyOracle:
    """openai-harmony loaded offline; the environment variable it reads is only set to load."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return load_oracle(tmp_path_factory.mktemp("tiktoken"), monkeypatch)


@pytest.fixture(scope="session")
def lanterna_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests run with their own LANTERNA_HOME (tests/run.sh sets one to keep the demo model
    between runs); workers inherit it."""
    home = os.environ.get("LANTERNA_HOME")
    if not home:
        home = str(tmp_path_factory.mktemp("lanterna-home"))
        os.environ["LANTERNA_HOME"] = home
    return Path(home)


@pytest.fixture(scope="session")
def demo_model(lanterna_home: Path) -> Path:
    return ensure_demo_model()


@pytest.fixture(scope="session")
def tiny_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gptoss_gguf(tmp_path_factory.mktemp("models") / "tiny-gpt-oss.gguf")


@pytest.fixture
def client(lanterna_home: Path) -> Iterator[EngineClient]:
    c = EngineClient()
    c.start()
    ready = c.wait_for((p.Ready,), timeout=60)
    assert isinstance(ready, p.Ready), ready
    yield c
    c.shutdown()
