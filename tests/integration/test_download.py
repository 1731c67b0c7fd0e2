"""Downloads from a loopback Hugging Face Hub that serves real bytes (tests/support/fake_hub.py).

Nothing here reaches the network: the fixture points HF_ENDPOINT at the fake Hub and turns on
the Hub access that tests/run.sh turns off for the rest of the run.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from huggingface_hub import constants

from engine.cli import models_download
from engine.cli.common import CliError
from engine.models import download as dl
from engine.models.download import (
    Download,
    DownloadError,
    Progress,
    list_gguf_files,
    list_partials,
    parse_quantisation,
    search_models,
)
from tests.support.fake_hub import FakeHub, HubFile, HubRepo, payload, serve_fake_hub

ROOT = Path(__file__).resolve().parents[2]

REPO = "lanterna-test/tiny-GGUF"
FILE = "tiny-Q4_K_M.gguf"
# A little over 1 MiB and not a multiple of any chunk size, so ends of ranges are exercised.
DATA = payload(1_048_583)
F16 = payload(40_000, seed=1)
GATED = "lanterna-test/gated-GGUF"
GATED_FILE = "gated-MXFP4.gguf"
SINGLE = "lanterna-test/single-GGUF"
TOKEN = "hf_AcceptedLicenceToken0123456789"
OTHER_TOKEN = "hf_ValidButNotAcceptedToken98765"
STALL = 300_000
POSIX_SIGNALS = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _repos() -> list[HubRepo]:
    return [
        HubRepo(
            REPO,
            [
                HubFile(FILE, DATA),
                HubFile("fp16/tiny-F16.gguf", F16),
                HubFile("README.md", b"# tiny\n", lfs=False),
            ],
            downloads=900,
            likes=12,
        ),
        HubRepo(GATED, [HubFile(GATED_FILE, F16)], gated=True, tokens=frozenset({TOKEN})),
        HubRepo(
            SINGLE,
            [HubFile("only-Q8_0.gguf", F16), HubFile("config.json", b"{}", lfs=False)],
            downloads=40,
        ),
        HubRepo(
            "lanterna-test/tiny-safetensors",
            [HubFile("model.safetensors", F16)],
            downloads=5000,
            tags=("transformers",),
        ),
    ]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with serve_fake_hub(monkeypatch, _repos(), known_tokens=frozenset({OTHER_TOKEN})) as h:
        yield h


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "models"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_gets(hub: FakeHub) -> list[Any]:
    return [s for s in hub.served if s.server == "cdn" and s.method == "GET"]


def _commit(hub: FakeHub, repo: str = REPO) -> str:
    return hub.repos[repo].commit


# -- a whole download --------------------------------------------------------------------------


def test_download_reports_progress_verifies_and_moves_into_place(hub: FakeHub, dest: Path) -> None:
    events: list[Progress] = []
    job = Download(REPO, FILE, dest=dest, on_progress=events.append, progress_interval=0)
    assert job.run() == "done"

    # huggingface_hub read HF_ENDPOINT before the fake Hub existed: the endpoint was passed.
    assert hub.endpoint != constants.ENDPOINT
    assert (dest / FILE).read_bytes() == DATA
    assert job.sha256 == _sha(DATA)
    # Nothing is left of the partial machinery once the file is in place.
    assert sorted(p.name for p in dest.iterdir()) == [FILE]

    assert len(events) > 10
    assert {e.phase for e in events} == {"downloading"}
    assert {e.total for e in events} == {len(DATA)}
    dones = [e.done for e in events]
    assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == len(DATA)
    assert events[-1].eta == 0.0 and events[-1].speed > 0
    assert any(e.eta is not None and e.eta > 0 for e in events[:-1])

    # The revision was pinned to a commit before any byte was fetched, and the bytes came
    # from the CDN after the Hub's redirect.
    resolve_gets = [s for s in hub.served if s.method == "GET" and "/resolve/" in s.path]
    assert [s.status for s in resolve_gets] == [302]
    assert f"/resolve/{_commit(hub)}/" in resolve_gets[0].path
    gets = _file_gets(hub)
    assert len(gets) == 1 and gets[0].range is None and gets[0].body_bytes == len(DATA)


def test_speed_is_smoothed_and_eta_follows_it(hub: FakeHub, dest: Path) -> None:
    # Slow mode: the server sleeps before each 32 KiB, so it cannot go faster than this.
    hub.faults.chunk_size = 32 * 1024
    hub.faults.chunk_delay = 0.02
    ceiling = hub.faults.chunk_size / hub.faults.chunk_delay
    events: list[Progress] = []
    assert Download(REPO, FILE, dest=dest, on_progress=events.append).run() == "done"
    moving = [e for e in events if 0 < e.done < e.total]
    assert moving, "a slow transfer reports progress along the way"
    for e in moving:
        assert 0 < e.speed < 1.5 * ceiling
        assert e.eta == pytest.approx((e.total - e.done) / e.speed)


def test_file_kept_in_git_is_verified_by_its_blob_id(hub: FakeHub, dest: Path) -> None:
    job = Download(REPO, "README.md", dest=dest)
    assert job.run() == "done"
    assert (dest / "README.md").read_bytes() == b"# tiny\n"
    assert job.sha256 is None  # no LFS sha256 exists for it; the git blob id was checked


def test_running_again_after_success_downloads_nothing(hub: FakeHub, dest: Path) -> None:
    assert Download(REPO, FILE, dest=dest).run() == "done"
    events: list[Progress] = []
    again = Download(REPO, FILE, dest=dest, on_progress=events.append, progress_interval=0)
    assert again.run() == "done"
    assert len(_file_gets(hub)) == 1
    assert events[0].phase == "checking" and events[-1].done == len(DATA)


def test_a_different_file_under_the_final_name_is_replaced_only_when_verified(
    hub: FakeHub, dest: Path
) -> None:
    dest.mkdir()
    (dest / FILE).write_bytes(b"an older, different file")
    hub.faults.wrong_bytes = True
    with pytest.raises(DownloadError):
        Download(REPO, FILE, dest=dest).run()
    assert (dest / FILE).read_bytes() == b"an older, different file"
    hub.faults.wrong_bytes = False
    assert Download(REPO, FILE, dest=dest).run() == "done"
    assert (dest / FILE).read_bytes() == DATA


# -- resuming ----------------------------------------------------------------------------------

CHILD = """
import sys
from pathlib import Path
from engine.models.download import Download

def show(p):
    print(p.phase, p.done, flush=True)

Download(sys.argv[1], sys.argv[2], dest=Path(sys.argv[3]), on_progress=show,
         progress_interval=0).run()
"""


@POSIX_SIGNALS
def test_killed_process_resumes_without_fetching_completed_bytes_again(
    hub: FakeHub, dest: Path
) -> None:
    # The server stops sending after STALL bytes (and stays stalled until the hub stops), so
    # the process is killed at a known point of the transfer.
    hub.faults.stall_after = STALL
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, REPO, FILE, str(dest)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        written = 0
        for line in child.stdout:
            written = int(line.split()[1])
            if written >= STALL:
                break
        assert written == STALL, child.stderr.read() if child.stderr else ""
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    partial = dest / ".partial" / f"{FILE}.part"
    assert partial.stat().st_size == STALL
    assert not (dest / FILE).exists()
    sidecar = json.loads((dest / ".partial" / f"{FILE}.json").read_text())
    assert sidecar["repo"] == REPO and sidecar["filename"] == FILE
    assert sidecar["commit"] == _commit(hub) and sidecar["size"] == len(DATA)
    assert sidecar["digest"] == "sha256" and sidecar["expected"] == _sha(DATA)
    assert [(p.repo, p.done, p.size) for p in list_partials(dest)] == [(REPO, STALL, len(DATA))]

    events: list[Progress] = []
    job = Download(REPO, FILE, dest=dest, on_progress=events.append, progress_interval=0)
    assert job.run() == "done"
    assert _sha((dest / FILE).read_bytes()) == _sha(DATA) == job.sha256

    # Only the resumed request has finished (the killed one is still stalled): it asked for the
    # rest and got exactly the rest, so every byte crossed the network once.
    gets = _file_gets(hub)
    assert len(gets) == 1
    assert gets[0].range == f"bytes={STALL}-" and gets[0].status == 206
    assert gets[0].body_bytes == len(DATA) - STALL
    # The bytes on disk were re-read to rebuild the hash before downloading went on.
    checking = [e for e in events if e.phase == "checking"]
    assert checking and checking[-1].done == STALL
    downloading = [e.done for e in events if e.phase == "downloading"]
    assert downloading[0] == STALL and downloading[-1] == len(DATA)


def test_dropped_connection_is_a_network_error_keeps_the_partial_and_resumes(
    hub: FakeHub, dest: Path
) -> None:
    hub.faults.drop_after = 200_000
    hub.faults.drop_times = 1
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest, retries=0).run()
    assert err.value.kind == "network"
    assert "resume" in str(err.value) and "\n" not in str(err.value)
    assert (dest / ".partial" / f"{FILE}.part").stat().st_size == 200_000
    assert not (dest / FILE).exists()

    assert Download(REPO, FILE, dest=dest).run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    gets = _file_gets(hub)
    assert [g.range for g in gets] == [None, "bytes=200000-"]
    assert sum(g.body_bytes for g in gets) == len(DATA)


def test_a_dropped_connection_is_retried_from_where_it_broke(hub: FakeHub, dest: Path) -> None:
    hub.faults.drop_after = 150_000
    hub.faults.drop_times = 2
    job = Download(REPO, FILE, dest=dest, retries=2, retry_delay=0)
    assert job.run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    assert [g.range for g in _file_gets(hub)] == [None, "bytes=150000-", "bytes=300000-"]


def test_server_ignoring_range_restarts_cleanly_and_still_verifies(
    hub: FakeHub, dest: Path
) -> None:
    hub.faults.drop_after = STALL
    hub.faults.drop_times = 1
    with pytest.raises(DownloadError):
        Download(REPO, FILE, dest=dest, retries=0).run()
    hub.faults.ignore_range = True
    events: list[Progress] = []
    job = Download(REPO, FILE, dest=dest, on_progress=events.append, progress_interval=0)
    assert job.run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    last = _file_gets(hub)[-1]
    assert last.range == f"bytes={STALL}-" and last.status == 200
    assert last.body_bytes == len(DATA)
    # Progress went back to zero when the partial was thrown away, then rose to the end.
    downloading = [e.done for e in events if e.phase == "downloading"]
    assert downloading[0] == STALL and 0 in downloading and downloading[-1] == len(DATA)


def test_pause_keeps_the_partial_and_run_resumes(hub: FakeHub, dest: Path) -> None:
    paused_at: list[int] = []
    job = Download(REPO, FILE, dest=dest, progress_interval=0)

    def on_progress(p: Progress) -> None:
        if not paused_at and p.done >= 250_000:
            paused_at.append(p.done)
            job.pause()

    job.on_progress = on_progress
    assert job.run() == "paused"
    assert (dest / ".partial" / f"{FILE}.part").stat().st_size == paused_at[0]
    assert not (dest / FILE).exists()

    job.on_progress = None
    assert job.run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    assert _file_gets(hub)[-1].range == f"bytes={paused_at[0]}-"


def test_cancel_from_another_thread_deletes_the_partial(hub: FakeHub, dest: Path) -> None:
    hub.faults.stall_after = STALL
    reached = threading.Event()
    job = Download(
        REPO,
        FILE,
        dest=dest,
        progress_interval=0,
        on_progress=lambda p: reached.set() if p.done >= STALL else None,
    )
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(job.run()))
    worker.start()
    try:
        assert reached.wait(30)
        # Meanwhile nobody else may write the same partial file.
        with pytest.raises(DownloadError) as err:
            Download(REPO, FILE, dest=dest).run()
        assert err.value.kind == "busy"
        job.cancel()
    finally:
        hub.release()
        worker.join(30)
    assert outcome == ["cancelled"]
    assert not (dest / ".partial").exists() and not (dest / FILE).exists()


def test_a_partial_changed_on_disk_is_noticed_and_downloaded_afresh(
    hub: FakeHub, dest: Path
) -> None:
    job = Download(REPO, FILE, dest=dest, progress_interval=0)
    job.on_progress = lambda p: job.pause() if p.done >= 400_000 else None
    assert job.run() == "paused"
    partial = dest / ".partial" / f"{FILE}.part"
    with partial.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02")

    job.on_progress = None
    assert job.run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    last = _file_gets(hub)[-1]
    assert last.range is None and last.body_bytes == len(DATA)


# -- refusals ----------------------------------------------------------------------------------


def test_gated_repo_asks_for_a_token_and_works_with_one(hub: FakeHub, dest: Path) -> None:
    with pytest.raises(DownloadError) as anonymous:
        Download(GATED, GATED_FILE, dest=dest).run()
    assert anonymous.value.kind == "gated"
    message = str(anonymous.value)
    assert "licence" in message and "token" in message and f"{hub.endpoint}/{GATED}" in message

    with pytest.raises(DownloadError) as not_accepted:
        Download(GATED, GATED_FILE, dest=dest, token=OTHER_TOKEN).run()
    assert not_accepted.value.kind == "gated" and "licence" in str(not_accepted.value)

    with pytest.raises(DownloadError) as refused:
        Download(GATED, GATED_FILE, dest=dest, token="hf_NotAValidToken42").run()
    assert refused.value.kind == "unauthorized" and "token" in str(refused.value)

    for exc in (anonymous.value, not_accepted.value, refused.value):
        assert OTHER_TOKEN not in str(exc) and "hf_NotAValidToken42" not in str(exc)
    assert list(dest.rglob("*")) == []

    job = Download(GATED, GATED_FILE, dest=dest, token=TOKEN)
    assert job.run() == "done"
    assert (dest / GATED_FILE).read_bytes() == F16
    # The token went to the Hub, and was not forwarded to the CDN on the redirect.
    head = [s for s in hub.served if s.method == "HEAD" and s.status == 302][-1]
    assert head.authorization == f"Bearer {TOKEN}"
    assert [g.authorization for g in _file_gets(hub)] == [None]


@pytest.mark.parametrize(
    ("repo", "name", "revision", "words"),
    [
        ("lanterna-test/no-such-repo", FILE, "main", "no repository"),
        (REPO, "no-such-file.gguf", "main", "no-such-file.gguf"),
        (REPO, FILE, "no-such-branch", "no-such-branch"),
    ],
)
def test_missing_repo_file_or_revision_is_not_found(
    hub: FakeHub, dest: Path, repo: str, name: str, revision: str, words: str
) -> None:
    with pytest.raises(DownloadError) as err:
        Download(repo, name, revision=revision, dest=dest).run()
    assert err.value.kind == "not_found"
    assert words in str(err.value) and "\n" not in str(err.value)
    assert list(dest.rglob("*")) == []


def test_malformed_names_are_refused_before_anything_is_written(hub: FakeHub, dest: Path) -> None:
    with pytest.raises(DownloadError) as bad_repo:
        Download("not a/valid//repo id", FILE, dest=dest).run()
    assert bad_repo.value.kind == "invalid"
    with pytest.raises(DownloadError) as bad_name:
        Download(REPO, FILE, dest=dest, local_name="..")
    assert bad_name.value.kind == "invalid"
    assert hub.served == []
    assert list(dest.rglob("*")) == []


def test_wrong_bytes_are_corrupt_and_nothing_is_kept(hub: FakeHub, dest: Path) -> None:
    hub.faults.wrong_bytes = True
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest).run()
    assert err.value.kind == "corrupt" and "sha256" in str(err.value)
    assert list(dest.rglob("*")) == []


def test_offline_mode_is_reported(
    hub: FakeHub, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest).run()
    assert err.value.kind == "offline"
    assert hub.served == []


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_disk_space_is_checked_ahead_against_what_remains(
    hub: FakeHub, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free = [len(DATA) - 1]
    monkeypatch.setattr(shutil, "disk_usage", lambda path: _Usage(10**12, 0, free[0]))
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest).run()
    assert err.value.kind == "disk_full" and "free" in str(err.value)
    assert _file_gets(hub) == [] and list(dest.rglob("*")) == []

    hub.faults.drop_after = 200_000
    hub.faults.drop_times = 1
    free[0] = 10**9
    with pytest.raises(DownloadError):
        Download(REPO, FILE, dest=dest, retries=0).run()
    # 200 000 bytes are already on disk: the rest, and not the whole file, has to fit.
    free[0] = len(DATA) - 200_000 - 1
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest).run()
    assert err.value.kind == "disk_full"
    free[0] = len(DATA) - 200_000
    assert Download(REPO, FILE, dest=dest).run() == "done"
    assert (dest / FILE).read_bytes() == DATA


def test_disk_filling_up_while_writing_is_disk_full_and_resumable(
    hub: FakeHub, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = dl._write_chunk
    whole = [0]

    def filling_up(fh: Any, data: bytes) -> None:
        if whole[0] + len(data) > 500_000:
            # Part of the piece reaches the disk, then the disk is full.
            fh.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(fh, data)
        whole[0] += len(data)

    monkeypatch.setattr(dl, "_write_chunk", filling_up)
    with pytest.raises(DownloadError) as err:
        Download(REPO, FILE, dest=dest).run()
    assert err.value.kind == "disk_full" and "resume" in str(err.value)
    assert not (dest / FILE).exists()
    # The half-written piece was cut off: the partial holds whole pieces only.
    assert (dest / ".partial" / f"{FILE}.part").stat().st_size == whole[0]

    monkeypatch.setattr(dl, "_write_chunk", real_write)
    assert Download(REPO, FILE, dest=dest).run() == "done"
    assert (dest / FILE).read_bytes() == DATA
    assert _file_gets(hub)[-1].range == f"bytes={whole[0]}-"


# -- search and listing ------------------------------------------------------------------------


def test_search_finds_gguf_repositories_most_downloaded_first(hub: FakeHub) -> None:
    found = search_models("lanterna-test", limit=10)
    assert [r.repo_id for r in found] == [REPO, SINGLE, GATED]
    assert found[0].downloads == 900 and found[0].likes == 12 and found[0].author == "lanterna-test"
    assert [r.gated for r in found] == [False, False, True]
    assert hub.searches[-1]["filter"] == ["gguf"] and hub.searches[-1]["search"] == [
        "lanterna-test"
    ]
    assert [r.repo_id for r in search_models("tiny", limit=10)] == [REPO]
    assert len(search_models("lanterna-test", limit=2)) == 2


def test_list_gguf_files_gives_sizes_quantisations_and_checksums(hub: FakeHub) -> None:
    files = list_gguf_files(REPO)
    assert [(f.name, f.size, f.quantisation, f.sha256) for f in files] == [
        ("fp16/tiny-F16.gguf", len(F16), "F16", _sha(F16)),
        (FILE, len(DATA), "Q4_K_M", _sha(DATA)),
    ]
    with pytest.raises(DownloadError) as err:
        list_gguf_files("lanterna-test/no-such-repo")
    assert err.value.kind == "not_found"


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("gpt-oss-20b-mxfp4.gguf", "MXFP4"),
        ("gemma-3-270m-q4_k_m.gguf", "Q4_K_M"),
        ("Qwen3-8B-IQ2_XXS.gguf", "IQ2_XXS"),
        ("Q8_0/model-Q8_0-00001-of-00002.gguf", "Q8_0"),
        ("llama-3.2-1b-instruct-bf16.gguf", "BF16"),
        ("phi-4-UD-Q4_K_XL.gguf", "Q4_K_XL"),
        ("model-f16.gguf", "F16"),
        ("tinyllama-q4_0.gguf", "Q4_0"),
        ("mmproj-model.gguf", None),
    ],
)
def test_quantisation_is_read_from_the_file_name(name: str, quant: str | None) -> None:
    assert parse_quantisation(name) == quant


# -- the command line --------------------------------------------------------------------------


def _cli(*argv: str) -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    models_download.register(sub)
    args = ap.parse_args(argv)
    code: int = args.func(args)
    return code


def test_cli_download_picks_the_only_gguf(
    hub: FakeHub, dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli("download", SINGLE, "--to", str(dest), "--json") == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[-1] == {
        "event": "done",
        "path": str(dest / "only-Q8_0.gguf"),
        "sha256": _sha(F16),
    }
    assert {x["event"] for x in lines[:-1]} == {"progress"}
    assert (dest / "only-Q8_0.gguf").read_bytes() == F16


def test_cli_download_lists_the_choices_and_exits_2(
    hub: FakeHub, dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CliError) as err:
        _cli("download", REPO, "--to", str(dest))
    assert err.value.code == 2 and "add one of the names" in str(err.value)
    out = capsys.readouterr().out
    assert FILE in out and "fp16/tiny-F16.gguf" in out and "Q4_K_M" in out
    assert not dest.exists() or not any(dest.iterdir())


def test_cli_errors_are_one_line_without_the_token(
    hub: FakeHub, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models_download, "hub_token", lambda: OTHER_TOKEN)
    with pytest.raises(CliError) as err:
        _cli("download", GATED, GATED_FILE, "--to", str(dest))
    assert "licence" in str(err.value) and "\n" not in str(err.value)
    assert OTHER_TOKEN not in str(err.value)
    monkeypatch.setattr(models_download, "hub_token", lambda: TOKEN)
    assert _cli("download", GATED, GATED_FILE, "--to", str(dest)) == 0


def test_token_falls_back_to_hf_token_without_the_keyring_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if engine.models.token did not exist (None in sys.modules makes importing it fail).
    monkeypatch.setitem(sys.modules, "engine.models.token", None)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert models_download.hub_token() == TOKEN
    monkeypatch.delenv("HF_TOKEN")
    assert models_download.hub_token() is None


def test_cli_search(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("search", "lanterna-test", "--limit", "2", "--json") == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["repo"] for r in rows] == [REPO, SINGLE]
    assert _cli("search", "tiny") == 0
    out = capsys.readouterr().out
    assert REPO in out and "900 downloads" in out


def test_cli_search_offline_says_how_to_search(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(CliError) as err:
        _cli("search", "tiny")
    message = str(err.value)
    assert "unset it to search" in message and "installed models work" in message
    assert "downloads are" not in message and hub.searches == []


DRIVER = """
import argparse, sys
from engine.cli import models_download as m
from engine.cli.common import CliError

m._JsonProgress.interval = 0  # every piece, so that the test knows what is on disk
ap = argparse.ArgumentParser()
m.register(ap.add_subparsers(required=True))
args = ap.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


@POSIX_SIGNALS
def test_cli_ctrl_c_pauses_and_the_same_command_resumes(
    hub: FakeHub, dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.faults.stall_after = STALL
    argv = ["download", REPO, FILE, "--to", str(dest), "--json"]
    with subprocess.Popen(
        [sys.executable, "-c", DRIVER, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        for line in child.stdout:
            event = json.loads(line)
            if event.get("done", 0) >= STALL:
                break
        assert event["done"] == STALL, child.stderr.read()
        # The transfer is stalled: the interrupt lands while the process waits for data.
        child.send_signal(signal.SIGINT)
        rest, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert json.loads(rest.splitlines()[-1]) == {
        "event": "paused",
        "done": STALL,
        "partial": str(dest / ".partial" / f"{FILE}.part"),
    }
    assert not (dest / FILE).exists()

    assert _cli(*argv) == 0
    assert (dest / FILE).read_bytes() == DATA
    gets = _file_gets(hub)
    assert len(gets) == 1 and gets[0].range == f"bytes={STALL}-"
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["event"] == "done"
