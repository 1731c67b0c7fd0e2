"""``lanterna-engine models download`` and ``models search``: GGUF models from Hugging Face.

``download REPO [FILE]`` fetches one file into the models folder (or ``--to DIR``). Without FILE
the repository's only .gguf file is taken; if it holds several, they are listed and the command
exits 2 so that the user can pick one; if it holds none, the repository is taken as a model
folder (MLX: safetensors weights, config, tokenizer) and downloaded whole. Progress is one
updating line on stderr, or JSON lines on stdout with ``--json`` (``{"event": "progress" |
"done" | "paused" | "error", …}``). Ctrl+C pauses: the partial file stays in
``<models>/.partial`` and the same command resumes it.

``search QUERY`` lists GGUF repositories, most downloaded first.

The token for gated models comes from Lanterna's keyring entry, or ``HF_TOKEN``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from engine.cli.common import CliError
from engine.models.download import (
    Download,
    DownloadError,
    Progress,
    RemoteFile,
    list_gguf_files,
    search_models,
)
from engine.models.folder_download import FolderDownload, list_folder_partials
from engine.paths import app_paths

EXIT_CHOOSE = 2
EXIT_INTERRUPTED = 130
# Where stderr is not a terminal (a log, a pipe), a line per this much progress, not a redraw.
LOG_STEP = 0.1


def register(models_subparsers: Any) -> None:
    dl: argparse.ArgumentParser = models_subparsers.add_parser(
        "download",
        help="download a GGUF model from Hugging Face (resumable, sha256-checked)",
        description="Download a file from a Hugging Face repository into the models folder. "
        "Ctrl+C pauses; running the same command again resumes.",
    )
    dl.add_argument("repo", help="repository id, e.g. ggml-org/gpt-oss-20b-GGUF")
    dl.add_argument("file", nargs="?", help="file in the repository (default: its only .gguf)")
    dl.add_argument("--revision", default="main", help="branch, tag or commit (default: main)")
    dl.add_argument("--to", metavar="DIR", help="destination folder (default: the models folder)")
    dl.add_argument("--json", action="store_true", help="JSON lines on stdout instead of a bar")
    dl.set_defaults(func=run_download)

    search: argparse.ArgumentParser = models_subparsers.add_parser(
        "search", help="search Hugging Face for GGUF models"
    )
    search.add_argument("query", help="words in the repository name")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.add_argument("--json", action="store_true", help="one JSON object per repository")
    search.set_defaults(func=run_search)


def hub_token() -> str | None:
    """The saved Hugging Face token; ``HF_TOKEN`` where the keyring module is not available."""
    try:
        module = importlib.import_module("engine.models.token")
    except ModuleNotFoundError as exc:
        if exc.name != "engine.models.token":
            raise
        return os.environ.get("HF_TOKEN") or None
    token = module.get_token()
    return str(token) if token else None


def run_download(args: argparse.Namespace) -> int:
    token = hub_token()
    filename: str | None = args.file
    if filename is None:
        filename = _only_gguf(args.repo, args.revision, token, as_json=args.json)
    dest = Path(args.to).expanduser() if args.to else app_paths().models
    label = filename.rsplit("/", 1)[-1] if filename else args.repo.rsplit("/", 1)[-1]
    show = _JsonProgress() if args.json else _BarProgress(label)
    job: Download | FolderDownload
    if filename:
        job = Download(
            args.repo,
            filename,
            revision=args.revision,
            dest=dest,
            token=token,
            on_progress=show,
            progress_interval=show.interval,
        )
    else:
        job = FolderDownload(
            args.repo,
            revision=args.revision,
            dest=dest,
            token=token,
            on_progress=show,
            progress_interval=show.interval,
        )
    try:
        outcome = job.run()
    except KeyboardInterrupt:
        show.clear()
        _paused(job, as_json=args.json)
        return EXIT_INTERRUPTED
    except DownloadError as exc:
        show.clear()
        if args.json:
            _emit({"event": "error", "kind": exc.kind, "message": str(exc)})
        raise CliError(str(exc)) from None
    show.clear()
    if outcome == "paused":
        _paused(job, as_json=args.json)
        return EXIT_INTERRUPTED
    if args.json:
        digest = job.sha256 if isinstance(job, Download) else None
        _emit({"event": "done", "path": str(job.target), "sha256": digest})
    else:
        print(job.target)
    return 0


def run_search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    try:
        found = search_models(args.query, args.limit, token=hub_token())
    except DownloadError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        for r in found:
            _emit(
                {
                    "repo": r.repo_id,
                    "author": r.author,
                    "downloads": r.downloads,
                    "likes": r.likes,
                    "last_modified": r.last_modified,
                    "gated": r.gated,
                }
            )
        return 0
    if not found:
        print(f"no GGUF models match {args.query!r}", file=sys.stderr)
        return 0
    width = max(len(r.repo_id) for r in found)
    for r in found:
        gated = "  gated" if r.gated else ""
        updated = (r.last_modified or "")[:10]
        print(
            f"{r.repo_id:<{width}}  {r.downloads:>10,} downloads  {r.likes:>6,} likes  "
            f"{updated}{gated}"
        )
    return 0


def _only_gguf(repo: str, revision: str, token: str | None, *, as_json: bool) -> str:
    """The one .gguf file to fetch; "" for a repository with none (a model folder)."""
    try:
        files = list_gguf_files(repo, revision=revision, token=token)
    except DownloadError as exc:
        raise CliError(str(exc)) from None
    if not files:
        return ""
    if len(files) == 1:
        return files[0].name
    for f in files:
        if as_json:
            _emit(
                {
                    "event": "choice",
                    "file": f.name,
                    "size": f.size,
                    "quantisation": f.quantisation,
                    "sha256": f.sha256,
                }
            )
        else:
            print(_choice_line(f, files))
    raise CliError(
        f"{repo} holds {len(files)} GGUF files: add one of the names above after {repo}",
        EXIT_CHOOSE,
    )


def _choice_line(f: RemoteFile, files: list[RemoteFile]) -> str:
    width = max(len(x.name) for x in files)
    return f"{f.name:<{width}}  {_human(f.size):>9}  {f.quantisation or ''}".rstrip()


def _paused(job: Download | FolderDownload, *, as_json: bool) -> None:
    partial = job.partial_path if isinstance(job, Download) else job.staging
    if isinstance(job, Download):
        done = partial.stat().st_size if partial.exists() else 0
    else:
        found = [p for p in list_folder_partials(job.dest) if p.repo == job.repo]
        done = found[0].done if found else 0
    if as_json:
        _emit({"event": "paused", "done": done, "partial": str(partial)})
        return
    if done:
        print(
            f"paused after {_human(done)}; run the same command again to resume",
            file=sys.stderr,
        )
    else:
        print("stopped before any data arrived", file=sys.stderr)


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class _JsonProgress:
    interval = 0.5

    def __call__(self, p: Progress) -> None:
        _emit(
            {
                "event": "progress",
                "phase": p.phase,
                "done": p.done,
                "total": p.total,
                "speed": round(p.speed),
                "eta": None if p.eta is None else round(p.eta, 1),
            }
        )

    def clear(self) -> None:
        pass


class _BarProgress:
    """One line on stderr, redrawn in place on a terminal, appended now and then elsewhere."""

    interval = 0.2

    def __init__(self, name: str) -> None:
        self.name = name
        self.tty = sys.stderr.isatty()
        self.drawn = False
        self.next_step = 0.0
        self.ended: set[str] = set()

    def __call__(self, p: Progress) -> None:
        fraction = p.done / p.total if p.total else 1.0
        verb = "checking" if p.phase == "checking" else "downloading"
        line = f"{verb} {self.name}: {fraction:4.0%}  {_human(p.done)} of {_human(p.total)}"
        if p.phase == "downloading" and p.speed > 0:
            line += f"  {_human(p.speed)}/s"
            if p.eta is not None and p.done < p.total:
                line += f"  {_duration(p.eta)} left"
        if self.tty:
            sys.stderr.write(f"\r\033[K{line}")
            sys.stderr.flush()
            self.drawn = True
        elif fraction >= self.next_step or (p.done >= p.total and p.phase not in self.ended):
            print(line, file=sys.stderr)
            self.next_step = fraction + LOG_STEP
            if p.done >= p.total:
                self.ended.add(p.phase)

    def clear(self) -> None:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.drawn = False


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _duration(seconds: float) -> str:
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


__all__ = ["hub_token", "register", "run_download", "run_search"]
