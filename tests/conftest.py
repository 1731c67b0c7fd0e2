"""Fixtures shared by all test folders."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import protocol as p
from engine.client import EngineClient
from engine.models.demo import ensure_demo_model
from tests.support.harmony_oracle import HarmonyOracle, load_oracle
from tests.support.tiny_bert import build_tiny_bert_gguf
from tests.support.tiny_gptoss import (
    REASONING_SCRIPT,
    build_scripted_gptoss_gguf,
    build_tiny_gptoss_gguf,
)
from tests.support.tiny_mlx_gptoss import build_tiny_mlx_gptoss


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "frozen: builds the PyInstaller app and runs it (minutes; -m 'not frozen')"
    )


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


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight BERT embedding model (mean pooling, WordPiece vocabulary)."""
    return build_tiny_bert_gguf(tmp_path_factory.mktemp("models") / "tiny-bert.gguf")


@pytest.fixture(scope="session")
def tiny_mlx_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny gpt-oss as an mlx-lm model folder; skips where MLX is not installed."""
    pytest.importorskip("mlx.core")
    pytest.importorskip("mlx_lm")
    return build_tiny_mlx_gptoss(tmp_path_factory.mktemp("models") / "tiny-mlx-gpt-oss")


@pytest.fixture(scope="session")
def scripted_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gpt-oss GGUF that answers any prompt with REASONING_SCRIPT, token for token."""
    return build_scripted_gptoss_gguf(
        tmp_path_factory.mktemp("models") / "scripted-gpt-oss.gguf", REASONING_SCRIPT
    )


@pytest.fixture
def client(lanterna_home: Path) -> Iterator[EngineClient]:
    c = EngineClient()
    c.start()
    ready = c.wait_for((p.Ready,), timeout=60)
    assert isinstance(ready, p.Ready), ready
    yield c
    c.shutdown()


@pytest.fixture(autouse=True)
def no_thread_left_running() -> Iterator[None]:
    """Fail a test that leaves a thread behind (a client not shut down, a stuck reader)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {[t.name for t in extra]}"
