"""The Hugging Face access token (for gated models), kept in the OS keyring and nowhere else.

The token lives under service "Lanterna", user "huggingface" in the system keyring (Keychain,
Windows Credential Locker, Secret Service, KWallet). When there is no usable keyring — no
backend, keyring's "fail" backend, a chainer with nothing to chain, a backend that errs — the
token is kept in this process's memory only, and :func:`set_token` says so ("session"): it is
never written to a file. For the same reason the file-based backends of ``keyrings.alt`` and
the null backend do not count as a keyring. Without a stored token, ``HF_TOKEN`` from the
environment is used, as huggingface_hub would.

The token never appears in exceptions, reprs or log lines from this module: messages say
"the token", and :func:`mask` shows at most its "hf_" prefix.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Literal

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

SERVICE = "Lanterna"
USERNAME = "huggingface"
ENV_VAR = "HF_TOKEN"
MAX_TOKEN = 4096  # real tokens are under a hundred characters

TokenStore = Literal["keyring", "session"]
TokenSource = Literal["keyring", "session", "environment"]


class TokenError(ValueError):
    """The token could not be used or stored; the message never holds the token."""


class _Secret:
    """Holds the session token so that printing or logging the holder shows no secret."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<token {mask(self.value)}>"

    __str__ = __repr__


_lock = threading.Lock()
_session: _Secret | None = None


def mask(token: str | None) -> str:
    """What may be shown of a token: its "hf_" prefix at most."""
    if not token:
        return "(none)"
    return "hf_…" if token.startswith("hf_") else "…"


def _is_file_backend(backend: Any) -> bool:
    return type(backend).__module__.startswith("keyrings.alt")


def _usable_backend() -> tuple[keyring.backend.KeyringBackend | None, str]:
    """The keyring backend to use and a description of it, or None and why there is none."""
    try:
        current = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration must not stop the app
        return None, f"the keyring could not start ({type(exc).__name__})"
    if isinstance(current, chainer.ChainerBackend):
        try:
            candidates = list(current.backends)
        except Exception as exc:
            return None, f"the keyring could not start ({type(exc).__name__})"
        if not candidates:
            return None, "no keyring backend is available on this system"
    else:
        candidates = [current]
    reasons: list[str] = []
    for backend in candidates:
        name = str(getattr(backend, "name", type(backend).__name__))
        if isinstance(backend, fail.Keyring):
            reasons.append("no recommended keyring backend is installed")
        elif type(backend).__module__ == "keyring.backends.null":
            reasons.append("the keyring is switched off (null backend)")
        elif _is_file_backend(backend):
            reasons.append(f"{name} stores secrets in a file, which Lanterna does not use")
        else:
            return backend, name
    return None, "; ".join(reasons) or "no keyring backend is available on this system"


def keyring_status() -> str:
    """One line for people: the keyring backend in use, or why there is none."""
    backend, description = _usable_backend()
    if backend is None:
        return f"no usable keyring: {description}"
    return f"keyring: {description}"


def _clean(token: str) -> str:
    token = token.strip()
    if not token:
        raise TokenError("the token is empty")
    if len(token) > MAX_TOKEN:
        raise TokenError(f"the token is longer than {MAX_TOKEN} characters")
    if any(c.isspace() or not c.isprintable() for c in token):
        raise TokenError("the token has spaces or control characters in it")
    return token


def set_token(token: str) -> TokenStore:
    """Store ``token``: in the keyring ("keyring"), or else in memory until exit ("session")."""
    global _session
    token = _clean(token)
    backend, _ = _usable_backend()
    if backend is not None:
        try:
            backend.set_password(SERVICE, USERNAME, token)
        except Exception:  # locked, denied, D-Bus gone: fall back to this session
            pass
        else:
            with _lock:
                _session = None
            return "keyring"
    with _lock:
        _session = _Secret(token)
    return "session"


def _from_keyring() -> str | None:
    backend, _ = _usable_backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, USERNAME)
    except Exception:
        return None
    return value or None


def token_source() -> TokenSource | None:
    """Where :func:`get_token` finds the token, or None when there is none."""
    if _from_keyring():
        return "keyring"
    with _lock:
        if _session is not None:
            return "session"
    return "environment" if os.environ.get(ENV_VAR, "").strip() else None


def get_token() -> str | None:
    """The token: from the keyring, else this session's, else ``HF_TOKEN``; None without."""
    stored = _from_keyring()
    if stored:
        return stored
    with _lock:
        if _session is not None:
            return _session.value
    return os.environ.get(ENV_VAR, "").strip() or None


def clear_token() -> bool:
    """Forget the stored token (keyring and session); True if there was one.

    ``HF_TOKEN`` in the environment is not ours to clear and keeps working.
    """
    global _session
    with _lock:
        had = _session is not None
        _session = None
    backend, _ = _usable_backend()
    if backend is None:
        return had
    try:
        present = backend.get_password(SERVICE, USERNAME) is not None
        if present:
            backend.delete_password(SERVICE, USERNAME)
    except keyring.errors.PasswordDeleteError:
        return had
    except Exception as exc:
        raise TokenError(
            f"the keyring refused to delete the token ({type(exc).__name__})"
        ) from None
    return had or present
