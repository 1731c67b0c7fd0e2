"""The Hugging Face token: OS keyring first, this session's memory when there is no usable
keyring, HF_TOKEN last; never in a file, a repr, an exception or a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from engine.models import token as tok
from engine.models.registry import ModelRegistry
from engine.settings import Settings, save_settings

SECRET = "hf_TestTokenDoNotLeak0123456789abcdef"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict, as an OS keyring would keep them."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


class LockedKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked(f"locked while storing {password}")


class PlaintextFileKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's file backends, which write secrets to disk."""

    __module__ = "keyrings.alt.file"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    previous = keyring.get_keyring()
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tok, "_session", None)
    yield
    keyring.set_keyring(previous)


def use(backend: Any) -> Any:
    keyring.set_keyring(backend)
    return backend


def assert_not_in_files(root: Path, secret: str) -> None:
    files = [f for f in root.rglob("*") if f.is_file()]
    assert files, "the check needs files to look at"
    for f in files:
        assert secret.encode() not in f.read_bytes(), f


def test_the_keyring_holds_the_token(tmp_path: Path) -> None:
    kr = use(MemoryKeyring())
    assert tok.get_token() is None and tok.token_source() is None
    assert tok.set_token(f"  {SECRET}\n") == "keyring"
    assert kr.store == {("Lanterna", "huggingface"): SECRET}
    assert tok.get_token() == SECRET
    assert tok.token_source() == "keyring"
    assert tok._session is None
    assert tok.keyring_status() == f"keyring: {kr.name}"
    assert tok.clear_token() is True
    assert kr.store == {}
    assert tok.get_token() is None
    assert tok.clear_token() is False


def test_the_keyring_comes_before_hf_token(monkeypatch: pytest.MonkeyPatch) -> None:
    use(MemoryKeyring())
    monkeypatch.setenv("HF_TOKEN", "hf_fromtheenvironment")
    assert tok.get_token() == "hf_fromtheenvironment"
    assert tok.token_source() == "environment"
    tok.set_token(SECRET)
    assert tok.get_token() == SECRET
    tok.clear_token()
    assert tok.get_token() == "hf_fromtheenvironment"  # not ours to clear


def test_without_a_keyring_the_token_lives_in_this_session_only(tmp_path: Path) -> None:
    use(fail.Keyring())
    status = tok.keyring_status()
    assert status.startswith("no usable keyring:") and "no recommended" in status
    assert tok.set_token(SECRET) == "session"
    assert tok.get_token() == SECRET
    assert tok.token_source() == "session"
    # Things that write files under LANTERNA_HOME: none of them holds the token.
    save_settings(Settings(model="x"))
    ModelRegistry().list_models()
    ModelRegistry().data_folder.mkdir(parents=True, exist_ok=True)
    (ModelRegistry().data_folder / "marker").write_text("written after the token was set")
    assert_not_in_files(tmp_path / "home", SECRET)
    assert tok.clear_token() is True
    assert tok.get_token() is None


def test_a_chainer_with_nothing_to_chain_is_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    use(chainer.ChainerBackend())
    assert tok.keyring_status() == (
        "no usable keyring: no keyring backend is available on this system"
    )
    assert tok.set_token(SECRET) == "session"


def test_a_chainer_uses_its_first_real_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextFileKeyring(), inner])
    use(chainer.ChainerBackend())
    assert tok.set_token(SECRET) == "keyring"
    assert inner.store == {("Lanterna", "huggingface"): SECRET}


def test_file_based_keyrings_are_not_used() -> None:
    kr = use(PlaintextFileKeyring())
    assert "stores secrets in a file" in tok.keyring_status()
    assert tok.set_token(SECRET) == "session"
    assert kr.store == {}


def test_a_keyring_error_falls_back_to_the_session_and_never_shows_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    use(LockedKeyring())  # its error message would contain the token
    assert tok.set_token(SECRET) == "session"
    assert tok.get_token() == SECRET
    assert SECRET not in caplog.text


def test_the_token_is_masked_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    use(fail.Keyring())
    tok.set_token(SECRET)
    held = tok._session
    assert held is not None
    assert SECRET not in repr(held) and SECRET not in str(held)
    assert repr(held) == "<token hf_…>"
    assert tok.mask(SECRET) == "hf_…"
    assert tok.mask("abcdef") == "…"
    for bad in (f"{SECRET} {SECRET}", f"{SECRET}\x00", " \n ", "x" * 5000):
        with pytest.raises(tok.TokenError) as info:
            tok.set_token(bad)
        assert SECRET not in str(info.value) and "x" * 50 not in str(info.value)
        assert info.value.__cause__ is None and info.value.__context__ is None
    assert SECRET not in caplog.text
    assert tok.get_token() == SECRET  # the refused ones replaced nothing


def test_an_unreadable_keyring_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("locked")

    use(Broken())
    monkeypatch.setenv("HF_TOKEN", "hf_env")
    assert tok.get_token() == "hf_env"
    assert tok.token_source() == "environment"
