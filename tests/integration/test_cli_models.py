"""``lanterna-engine models …`` in real processes with their own LANTERNA_HOME: list, import,
remove (with and without confirmation), and the token commands."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from engine.models.demo import DEMO_FILENAME
from tests.unit.test_importer import build_tiny_llama

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hf_CliTokenMustNotLeak0123456789"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("src") / "tiny-llama.gguf")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def models(home: Path, *args: str, stdin: str | None = None) -> Any:
    env = {
        **os.environ,
        "LANTERNA_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # never the real keyring
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("LANTERNA_MODELS_DIR", None)
    env.pop("HF_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "models", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def listed(home: Path) -> list[dict[str, Any]]:
    res = models(home, "list", "--json")
    assert res.returncode == 0, res.stderr
    data: list[dict[str, Any]] = json.loads(res.stdout)
    return data


def test_list_import_and_remove(home: Path, tiny: Path, tmp_path: Path) -> None:
    res = models(home, "list")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("no models installed")
    assert listed(home) == []

    res = models(home, "import", str(tiny))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("imported 'tiny-llama' (llama, F32,")
    [entry] = listed(home)
    assert entry["name"] == "tiny-llama" and entry["imported"] is True
    assert (entry["architecture"], entry["context_length"]) == ("llama", 256)
    assert entry["path"] == str(tiny.resolve()) and entry["problem"] == ""

    table = models(home, "list").stdout.splitlines()
    assert table[0].split() == ["NAME", "ARCH", "QUANT", "SIZE", "CONTEXT", "BACKEND", "PATH"]
    assert table[1].split()[:5] == ["tiny-llama", "llama", "F32", "113.3", "KB"]

    res = models(home, "import", str(tiny))
    assert res.returncode == 1
    assert res.stderr.strip() == (
        f"lanterna-engine: error: not imported: {tiny} is installed already, as 'tiny-llama'"
    )

    other = tmp_path / "other.gguf"
    other.write_bytes(tiny.read_bytes().replace(b"tiny llama", b"tiny other"))
    res = models(home, "import", "--copy", str(other))
    assert res.returncode == 0, res.stderr
    copied = home / "data" / "models" / "other.gguf"
    assert copied.read_bytes() == other.read_bytes()
    assert [e["name"] for e in listed(home)] == ["other", "tiny-llama"]

    res = models(home, "remove", "tiny-llama", "--yes")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("unregistered 'tiny-llama'")
    assert tiny.exists()
    res = models(home, "remove", "other", "--yes")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("deleted 'other'") and not copied.exists()
    assert listed(home) == []


def test_a_broken_file_is_refused_in_one_line(home: Path, tiny: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(tiny.read_bytes()[:3000])
    res = models(home, "import", str(broken))
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"lanterna-engine: error: cannot import {broken}: truncated: ")
    res = models(home, "import", "--copy", str(tmp_path / "nope.gguf"))
    assert res.returncode == 1 and "no such file" in res.stderr
    assert listed(home) == []
    assert not (home / "data" / "models.json").exists()


def test_remove_without_yes_refuses_when_not_on_a_terminal(home: Path, tiny: Path) -> None:
    target = home / "data" / "models" / "keep.gguf"
    target.parent.mkdir(parents=True)
    shutil.copy(tiny, target)
    res = models(home, "remove", "keep")
    assert res.returncode == 2
    assert "add --yes" in res.stderr
    assert target.exists()
    res = models(home, "remove", "nothing-here", "--yes")
    assert res.returncode == 1 and "no installed model is called 'nothing-here'" in res.stderr


def test_the_demo_model_is_not_removed(home: Path, tiny: Path) -> None:
    demo = home / "data" / "models" / DEMO_FILENAME
    demo.parent.mkdir(parents=True)
    shutil.copy(tiny, demo)
    (name,) = [m["name"] for m in listed(home)]
    res = models(home, "remove", name, "--yes")
    assert res.returncode == 1
    assert "is the demo model that comes with Lanterna" in res.stderr
    assert demo.exists()


def _remove_on_a_terminal(home: Path, name: str, answer: bytes) -> tuple[int, str]:
    env = {**os.environ, "LANTERNA_HOME": str(home)}
    env.pop("LANTERNA_MODELS_DIR", None)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "models", "remove", name],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=ROOT,
        env=env,
    )
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"[y/N]" in output:
            os.write(primary, answer)
            answered = True
    os.close(primary)
    return proc.wait(timeout=60), output.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_remove_asks_on_a_terminal(home: Path, tiny: Path) -> None:
    target = home / "data" / "models" / "asked.gguf"
    target.parent.mkdir(parents=True)
    shutil.copy(tiny, target)
    code, out = _remove_on_a_terminal(home, "asked", b"n\n")
    assert code == 1 and "Delete 'asked'" in out and "nothing removed" in out
    assert target.exists()
    code, out = _remove_on_a_terminal(home, "asked", b"y\n")
    assert code == 0 and "deleted 'asked'" in out
    assert not target.exists()


def test_token_commands_without_a_keyring(home: Path, tiny: Path) -> None:
    res = models(home, "token", "status")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "no usable keyring: no recommended keyring backend is installed",
        "no token is set",
    ]
    res = models(home, "token", "set", stdin=SECRET + "\n")
    assert res.returncode == 1
    assert "the token was not saved" in res.stderr and "HF_TOKEN" in res.stderr
    assert SECRET not in res.stdout + res.stderr
    # A token on the command line is refused before anything happens.
    res = models(home, "token", "set", SECRET)
    assert res.returncode == 2
    assert "read from standard input" in res.stderr and SECRET not in res.stderr
    res = models(home, "token", "clear")
    assert res.returncode == 0 and res.stdout.strip() == "no token was stored"
    models(home, "import", str(tiny))  # something that writes files under LANTERNA_HOME
    files = [f for f in home.rglob("*") if f.is_file()]
    assert files
    assert all(SECRET.encode() not in f.read_bytes() for f in files)


def test_models_help_lists_every_subcommand(home: Path) -> None:
    res = models(home, "--help")
    assert res.returncode == 0
    for command in ("list", "import", "remove", "token"):
        assert command in res.stdout
