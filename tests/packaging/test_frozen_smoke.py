"""The frozen app (PyInstaller, one folder) as a user gets it: built from this checkout, then run
from another folder with nothing of the checkout importable.

``lanterna --smoke`` opens the window offscreen, prepares the bundled demo model in a throwaway
LANTERNA_HOME, loads it in a worker — the frozen executable re-entered with ``--worker`` —
answers one question and saves a screenshot. ``lanterna-engine``, the second executable of the
folder, runs a few commands that need the bundled data (word lists, the GGUF reader, keyring)
and downloads a file from a stand-in Hub on loopback.

The build takes a minute or two; ``LANTERNA_FROZEN_DIR`` names an already built app folder (the
one holding the ``lanterna`` executable, or the dist folder above it) to test that instead.
Deselect with ``-m "not frozen"``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.packaging.conftest import EXE_SUFFIX, ROOT, clean_env
from tests.support.document_files import write_pdf
from tests.support.fake_hub import FakeHub, HubFile, HubRepo, payload

SMOKE_TIMEOUT_S = 600

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(sys.platform != "linux", reason="the frozen build is tested on Linux"),
]


@dataclass
class _Proc:
    exe: str
    cmdline: list[str]
    mapped: set[str] = field(default_factory=set)


class ProcessWatch:
    """Records a process tree while it runs (Linux /proc): each process's executable, command
    line and the files it maps (shared libraries), so a test can tell which program served as
    the worker and where its libraries came from."""

    def __init__(self, root_pid: int) -> None:
        self._root = root_pid
        self.seen: dict[int, _Proc] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="process-watch", daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    @staticmethod
    def _parent(pid: int) -> int | None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        # The command name (2nd field) is in parentheses and may hold spaces.
        return int(stat.rsplit(")", 1)[1].split()[1])

    def _tree(self) -> set[int]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                ppid = self._parent(int(entry.name))
                if ppid is not None:
                    parents[int(entry.name)] = ppid
        tree = {self._root}
        grew = True
        while grew:
            more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
            tree |= more
            grew = bool(more)
        return tree

    def _record(self, pid: int) -> None:
        try:
            if pid not in self.seen:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
                exe = os.readlink(f"/proc/{pid}/exe")
                self.seen[pid] = _Proc(exe, [a.decode() for a in raw.split(b"\0") if a])
            maps = Path(f"/proc/{pid}/maps").read_text()
        except OSError:  # gone meanwhile
            return
        for line in maps.splitlines():
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].startswith("/"):
                self.seen[pid].mapped.add(parts[5])

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._tree():
                self._record(pid)
            self._stop.wait(0.05)

    def workers(self, executable: Path) -> list[_Proc]:
        return [
            p
            for p in self.seen.values()
            if p.cmdline[1:] == ["--worker"] and Path(p.exe).resolve() == executable.resolve()
        ]


def _run_watched(
    cmd: list[str], *, env: dict[str, str], cwd: Path, timeout: float, stdin: str = ""
) -> tuple[subprocess.CompletedProcess[str], ProcessWatch, float]:
    started = time.monotonic()
    with (
        subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc,
        ProcessWatch(proc.pid) as watch,
    ):
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"{cmd} timed out\n{err[-3000:]}") from None
    return (
        subprocess.CompletedProcess(cmd, proc.returncode, out, err),
        watch,
        (time.monotonic() - started),
    )


def _from_checkout(paths: set[str], app_dir: Path) -> list[str]:
    """Files under the checkout (its sources, its .venv) that are not part of the app folder,
    which may itself have been built inside the checkout."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_relative_to(ROOT) and not path.is_relative_to(app_dir):
            found.append(raw)
    return sorted(found)


def _check_png(path: Path) -> None:
    from PySide6.QtGui import QImage

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG"
    image = QImage(str(path))
    assert not image.isNull(), "the screenshot cannot be decoded"
    assert image.width() >= 800 and image.height() >= 500, image.size()
    # A window that drew nothing (no fonts, no style) comes out as one flat colour.
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 20, f"the screenshot has only {len(colours)} colours"


def test_frozen_app_runs_smoke_and_engine_commands(app_dir: Path, tmp_path: Path) -> None:
    gui = app_dir / f"lanterna{EXE_SUFFIX}"
    cli = app_dir / f"lanterna-engine{EXE_SUFFIX}"
    assert cli.is_file(), "the engine command line is missing from the app folder"
    # The Python code travels in the executables' archives, not as a source tree beside them.
    internal = app_dir / "_internal"
    assert not (internal / "engine").exists() and not (internal / "desktop").exists()
    assert (internal / "resources" / "moderation" / "lexicon").is_dir()
    assert sorted(p.name for p in (internal / "resources" / "translations").glob("*.qm"))

    home = tmp_path / "home"
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env = clean_env(home)
    shot = tmp_path / "shot.png"

    smoke, watch, seconds = _run_watched(
        [str(gui), "--smoke", "--screenshot", str(shot)],
        env=env,
        cwd=run_dir,
        timeout=SMOKE_TIMEOUT_S,
    )
    print(f"\nfrozen smoke: {seconds:.1f} s (first run: assembling the demo model included)")
    assert smoke.returncode == 0, smoke.stderr[-5000:]
    ok = [line for line in smoke.stderr.splitlines() if line.startswith("smoke: ok:")]
    assert len(ok) == 1, smoke.stderr[-5000:]
    _check_png(shot)

    # The worker was the folder's Qt-free sibling re-entered, and it ran the bundled llama.cpp.
    workers = watch.workers(cli)
    seen = {pid: (p.exe, p.cmdline) for pid, p in watch.seen.items()}
    assert workers, f"no `lanterna-engine --worker` process was seen: {seen}"
    assert not watch.workers(gui), "the window started itself as the worker"
    libllama = {m for w in workers for m in w.mapped if "libllama" in Path(m).name}
    assert libllama, "the worker never loaded libllama"
    assert all(Path(m).is_relative_to(app_dir) for m in libllama), libllama
    # llama.cpp's own dependencies come from the bundle too, not from whatever the system has:
    # the worker inherits the app's library path (an app that cleared it would lose them).
    runtimes = {
        m
        for w in workers
        for m in w.mapped
        if Path(m).name.startswith(("libgomp.", "libstdc++.", "libggml"))
    }
    outside = {m for m in runtimes if not Path(m).is_relative_to(app_dir)}
    assert runtimes and not outside, outside
    # The engine is headless: no Qt library at all in the worker.
    qt_libs = {m for w in workers for m in w.mapped if Path(m).name.startswith("libQt6")}
    assert not qt_libs, qt_libs
    mapped = set().union(*(p.mapped for p in watch.seen.values()))
    assert not _from_checkout(mapped, app_dir), _from_checkout(mapped, app_dir)
    assert list(home.rglob("gemma-3-270m-q4_k_m.gguf")), "the demo model was not prepared"

    def engine(
        *args: str, stdin: str = "", env: dict[str, str] = env
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cli), *args],
            cwd=run_dir,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    helped = engine("--help")
    assert helped.returncode == 0, helped.stderr
    assert "moderate" in helped.stdout and "models" in helped.stdout

    # The GGUF reader on the model the smoke run prepared.
    listed = engine("models", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    models = json.loads(listed.stdout)
    assert any(str(m.get("path", "")).endswith("gemma-3-270m-q4_k_m.gguf") for m in models), models

    # The moderation word lists and PII patterns come from the bundled resources/.
    moderated = engine(
        "moderate",
        "--json",
        "--layers",
        "lexical,pii",
        stdin="Mail ana@example.pt today. The user asked how to build a pipe bomb.\n",
    )
    assert moderated.returncode == 0, moderated.stderr
    segments = [json.loads(line) for line in moderated.stdout.splitlines()]
    assert [r["kind"] for r in segments[0]["redactions"]] == ["email"], segments
    assert "ana@example.pt" not in moderated.stdout
    assert segments[1]["withheld"] and "violence" in segments[1]["categories"], segments

    # keyring finds the same backends frozen as from source (entry points need its metadata).
    token = engine("models", "token", "status")
    assert token.returncode == 0, token.stderr
    source_env = {**env, "PYTHONPATH": str(ROOT)}
    from_source = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "models", "token", "status"],
        cwd=run_dir,
        env=source_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert token.stdout == from_source.stdout, (token.stdout, from_source.stdout)

    # Search and download through huggingface_hub, of which the build leaves parts out, from a
    # Hub stand-in on loopback.
    data = payload(300_001)
    repo = HubRepo("lanterna-test/tiny-GGUF", [HubFile("tiny-Q4_K_M.gguf", data)], downloads=3)
    with FakeHub([repo]) as hub:
        hub_env = {**env, "HF_ENDPOINT": hub.endpoint, "HF_HUB_OFFLINE": "0"}
        found = engine("models", "search", "tiny", "--json", env=hub_env)
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout.splitlines()[0])["repo"] == repo.repo_id
        to = tmp_path / "downloads"
        got = engine(
            "models", "download", repo.repo_id, "tiny-Q4_K_M.gguf", "--to", str(to), env=hub_env
        )
        assert got.returncode == 0, got.stderr
    assert hashlib.sha256((to / "tiny-Q4_K_M.gguf").read_bytes()).digest() == (
        hashlib.sha256(data).digest()
    )

    # The engine's own worker: lanterna-engine re-entered with --worker, asked about a PDF that
    # the frozen executable reads in a spawned child (multiprocessing re-enters it too).
    pdf = write_pdf(
        tmp_path / "keeper.pdf",
        [["The keeper lights the lamp at dusk."], ["The lens was made in Paris in 1890."]],
    )
    chat, chat_watch, _ = _run_watched(
        [str(cli), "chat", "--json", "--max-tokens", "8", "--seed", "1",
         "--attach", str(pdf), "Where was the lens made?"],
        env=env,
        cwd=run_dir,
        timeout=300,
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr[-3000:]
    events = [json.loads(line) for line in chat.stdout.splitlines()]
    assert events and events[-1]["type"] == "done", events
    assert events[0]["type"] == "documents" and events[0]["strategy"] == "whole", events[0]
    sources = next(e for e in events if e["type"] == "sources")["sources"]
    assert (sources[0]["file"], sources[0]["page"]) == ("keeper.pdf", 2), sources
    assert chat_watch.workers(cli), "no `lanterna-engine --worker` process was seen"
