"""Fixtures shared by all test folders."""

from __future__ import annotations

import pytest

from tests.support.harmony_oracle import HarmonyOracle, load_oracle


@pytest.fixture(scope="session")
def harmony_oracle(tmp_path_factory: pytest.TempPathFactory) -> HarmonyOracle:
    """openai-harmony loaded offline; the environment variable it reads is only set to load."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return load_oracle(tmp_path_factory.mktemp("tiktoken"), monkeypatch)
