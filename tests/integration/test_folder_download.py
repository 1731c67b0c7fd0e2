"""Whole MLX model folders from a Hub on loopback: verified files, pinned commit, resume."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.models.download import DownloadError, Progress, list_partials
from engine.models.folder_download import FolderDownload, list_folder_partials, wanted
from engine.models.importer import check_mlx_folder
from tests.support.fake_hub import FakeHub, HubFile, HubRepo, payload, serve_fake_hub

REPO = "lanterna-test/tiny-gpt-oss-MLX"
EXTRAS = [
    HubFile("README.md", b"# model card\n", lfs=False),
    HubFile(".gitattributes", b"*.safetensors filter=lfs\n", lfs=False),
    HubFile("original/model.safetensors", payload(50_000, seed=7)),
    HubFile("card.png", payload(2_000, seed=8)),
]


def _folder_files(folder: Path) -> list[HubFile]:
    return [
        HubFile(p.name, p.read_bytes(), lfs=p.suffix == ".safetensors")
        for p in sorted(folder.iterdir())
        if p.is_file()
    ]


@pytest.fixture
def files(tiny_mlx_gptoss: Path) -> list[HubFile]:
    return _folder_files(tiny_mlx_gptoss)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, files: list[HubFile]) -> Iterator[FakeHub]:
    repos = [
        HubRepo(REPO, files + EXTRAS, tags=("mlx",)),
        HubRepo("lanterna-test/no-weights", [HubFile("config.json", b"{}", lfs=False)]),
    ]
    with serve_fake_hub(monkeypatch, repos) as h:
        yield h


def _gets(hub: FakeHub) -> list[str]:
    """The files fetched, by repository path (the GETs of their resolve URLs)."""
    return [
        s.path.split("/resolve/", 1)[1].split("/", 1)[1]
        for s in hub.served
        if s.server == "hub" and s.method == "GET" and "/resolve/" in s.path
    ]


def test_only_the_files_a_model_folder_needs_are_wanted() -> None:
    for name in (
        "model.safetensors",
        "model-00001-of-00003.safetensors",
        "config.json",
        "model.safetensors.index.json",
        "tokenizer.json",
        "chat_template.jinja",
        "tokenizer.model",
        "merges.txt",
        "LICENSE",
    ):
        assert wanted(name), name
    for name in (
        "README.md",
        ".gitattributes",
        "original/model.safetensors",
        "card.png",
        "model.gguf",
        "pytorch_model.bin",
        "metal/model.bin",
    ):
        assert not wanted(name), name


def test_a_folder_downloads_verified_and_appears_only_when_complete(
    hub: FakeHub, files: list[HubFile], tmp_path: Path
) -> None:
    dest = tmp_path / "models"
    events: list[Progress] = []
    job = FolderDownload(REPO, dest=dest, on_progress=events.append, progress_interval=0)
    assert job.run() == "done"
    target = dest / "tiny-gpt-oss-MLX"
    assert sorted(p.name for p in target.iterdir()) == sorted(f.path for f in files)
    for f in files:
        assert (target / f.path).read_bytes() == f.data
    assert check_mlx_folder(target).ok
    assert not (dest / ".partial").exists()
    total = sum(f.size for f in files)
    assert events[-1].done == events[-1].total == total
    done = [e.done for e in events if e.phase == "downloading"]
    assert done == sorted(done)  # one running count over all the files
    # Each needed file was fetched once, and nothing else.
    assert sorted(_gets(hub)) == sorted(f.path for f in files)
    # Every file came from the commit pinned at the start.
    commit = hub.repos[REPO].commit
    resolves = [s.path for s in hub.served if s.server == "hub" and "/resolve/" in s.path]
    assert resolves and all(f"/resolve/{commit}/" in p for p in resolves)
    with pytest.raises(DownloadError) as err:
        FolderDownload(REPO, dest=dest).run()
    assert err.value.kind == "invalid" and "already exists" in str(err.value)


def test_a_paused_folder_resumes_without_fetching_finished_files_again(
    hub: FakeHub, files: list[HubFile], tmp_path: Path
) -> None:
    dest = tmp_path / "models"
    weights = max(files, key=lambda f: f.size)
    assert weights.path.endswith(".safetensors")  # the largest, so fetched last
    # The CDN serves files by their sha256.
    hub.faults.stall_after, hub.faults.stall_file = weights.size // 2, weights.sha256
    first = FolderDownload(REPO, dest=dest, progress_interval=0)
    result: list[str] = []
    runner = threading.Thread(target=lambda: result.append(first.run()))
    runner.start()
    assert hub.stalled.wait(60)
    first.pause()
    hub.release()
    runner.join(60)
    assert result == ["paused"]
    assert not (dest / "tiny-gpt-oss-MLX").exists()
    [left] = list_folder_partials(dest)
    assert (left.repo, left.filename, left.held) == (REPO, "", False)
    assert 0 < left.done < left.size == sum(f.size for f in files)
    assert list_partials(dest) == []  # the file-level listing does not count folders twice

    before = len(_gets(hub))
    assert FolderDownload(REPO, dest=dest).run() == "done"
    again = _gets(hub)[before:]
    assert again == [weights.path]  # only the unfinished shard
    ranges = [s.range for s in hub.served if s.server == "cdn" and s.method == "GET"]
    assert ranges[-1] is not None and ranges[-1].startswith("bytes=")
    assert (dest / "tiny-gpt-oss-MLX" / weights.path).read_bytes() == weights.data


def test_a_held_folder_is_reported_held_and_cancel_removes_everything(
    hub: FakeHub, files: list[HubFile], tmp_path: Path
) -> None:
    dest = tmp_path / "models"
    weights = max(files, key=lambda f: f.size)
    hub.faults.stall_after, hub.faults.stall_file = 1000, weights.sha256
    job = FolderDownload(REPO, dest=dest)
    result: list[str] = []
    runner = threading.Thread(target=lambda: result.append(job.run()))
    runner.start()
    assert hub.stalled.wait(60)
    job.pause(hold=True)
    hub.release()
    runner.join(60)
    assert result == ["paused"]
    assert [p.held for p in list_folder_partials(dest)] == [True]
    FolderDownload(REPO, dest=dest).cancel()
    assert list_folder_partials(dest) == [] and not (dest / ".partial").exists()


def test_a_file_that_fails_its_check_never_lets_the_folder_appear(
    hub: FakeHub, tmp_path: Path
) -> None:
    dest = tmp_path / "models"
    hub.faults.wrong_bytes = True
    with pytest.raises(DownloadError) as err:
        FolderDownload(REPO, dest=dest).run()
    assert err.value.kind == "corrupt"
    assert not (dest / "tiny-gpt-oss-MLX").exists()


def test_a_repository_without_weights_is_refused_before_downloading(
    hub: FakeHub, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError) as err:
        FolderDownload("lanterna-test/no-weights", dest=tmp_path / "models").run()
    assert err.value.kind == "not_found" and "safetensors" in str(err.value)
    assert _gets(hub) == []


def test_the_cli_downloads_a_repository_without_gguf_as_a_folder(
    hub: FakeHub, files: list[HubFile], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse
    import json

    from engine.cli import models_download

    ap = argparse.ArgumentParser()
    models_download.register(ap.add_subparsers(dest="command", required=True))
    args = ap.parse_args(["download", REPO, "--to", str(tmp_path), "--json"])
    assert args.func(args) == 0
    last = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert last == {"event": "done", "path": str(tmp_path / "tiny-gpt-oss-MLX"), "sha256": None}
    assert check_mlx_folder(tmp_path / "tiny-gpt-oss-MLX").ok
