"""``lanterna-engine chat``: stream one answer through a worker process.

Plain output is the final answer on stdout; what ``--reasoning`` allows of the reasoning goes to
stderr (filtered segments, or the summary; in the default "hidden" mode only a "thought for"
line, when stderr is a terminal). With ``--json`` each line is one event object with a ``type``:
``text`` (answer delta), ``reasoning`` (statistics, or one filtered segment with its
``redactions`` and ``categories``; never raw), ``tool_call``, ``done``, ``summary`` (after
``done``, in summary mode) and ``error``.

``--attach FILE…`` (files or folders; PDF, DOCX, Markdown, HTML, text) reads each document in a
child process, indexes it in the document cache and attaches it to the prompt: whole when it
fits the context, else as the passages that match (and, for gpt-oss, a ``documents.search``
tool). The prompt is the last argument that is not a file, or whatever follows ``--``. The
``--json`` stream then also has a ``documents`` event (the strategy, before the answer) and a
``sources`` event (before ``done``: a list of ``file``, ``path``, ``page``, ``heading``,
``excerpt``, ``score``); plain output prints the sources after the answer.
``--embedding-model GGUF`` (default: the settings' ``embedding_model``) has the worker load an
embedding model beside the chat model: passages are then ranked by BM25 and vector similarity.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine import protocol as p
from engine.backends.choice import CHOICES
from engine.cli.common import (
    NO_GUARD_CHOSEN,
    CliError,
    context_length,
    load_messages,
    load_tools,
    note,
    resolve_model,
    start_and_load,
    temperature,
    thread_count,
    worker_failure,
)
from engine.client import EngineClient, WorkerExited
from engine.conversation import EFFORTS
from engine.documents.attach import (
    UNUSED_S,
    AttachError,
    Attachment,
    attach,
    default_index_path,
    expand,
    open_index,
)
from engine.documents.index import DocumentIndexError
from engine.documents.prompt_text import place
from engine.documents.search_tool import TOOL_NAME
from engine.documents.sniff import SUFFIXES
from engine.gpu import PREFERENCES as GPU_BACKENDS
from engine.moderation.pipeline import parse_layers
from engine.moderation.stream import DISPLAY_MODES
from engine.settings import load_settings


def add_parser(sub: Any) -> None:
    ap: argparse.ArgumentParser = sub.add_parser("chat", help="stream an answer from a model")
    ap.add_argument("prompt", nargs="?", help="the user message (default: read stdin)")
    ap.add_argument(
        "--model", help="a .gguf file or an MLX model folder (default: the bundled demo model)"
    )
    ap.add_argument(
        "--backend",
        choices=CHOICES,
        help="what runs the model: auto (an MLX folder on MLX, a GGUF file on llama.cpp), "
        "llamacpp or mlx (default: the settings' choice, normally auto)",
    )
    ap.add_argument(
        "--effort",
        choices=EFFORTS,
        help="reasoning effort: low/medium/high for gpt-oss; low turns thinking off on models "
        "with an on/off switch (default: medium)",
    )
    ap.add_argument(
        "--reasoning",
        choices=DISPLAY_MODES,
        help="what to show of the reasoning (default: the settings' choice, normally hidden)",
    )
    ap.add_argument("--layers", help="moderation layers, e.g. lexical,pii (default: settings)")
    ap.add_argument(
        "--guard-model",
        metavar="GGUF",
        help="classifier model for the guard layer (default: the settings' guard_model)",
    )
    ap.add_argument(
        "--max-tokens", type=int, default=4096, help="longest answer, in tokens (default: 4096)"
    )
    ap.add_argument(
        "--temperature", type=temperature, help="0 to 2 (default: the model's recommended value)"
    )
    ap.add_argument(
        "--seed", type=int, help="the same seed gives the same answer (default: a new one each run)"
    )
    ap.add_argument("--conversation", metavar="FILE.json", help="earlier turns, as JSON")
    ap.add_argument("--tools", metavar="FILE.json", help="function tools offered to the model")
    ap.add_argument(
        "--attach",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="documents or folders to ask about (PDF, DOCX, Markdown, HTML, text)",
    )
    ap.add_argument(
        "--embedding-model",
        metavar="GGUF",
        help="embedding model whose vectors rank the passages of attached documents with BM25 "
        "(default: the settings' choice; '' for none)",
    )
    ap.add_argument("--json", action="store_true", help="one JSON event per line")
    ap.add_argument(
        "--ctx",
        type=context_length,
        help="context length in tokens (default: the settings' context_length, normally 8192)",
    )
    ap.add_argument(
        "--threads",
        type=thread_count,
        help="CPU threads (default: the settings' threads, normally picked for this machine)",
    )
    ap.add_argument(
        "--gpu",
        choices=GPU_BACKENDS,
        help="llama.cpp build: auto (the best GPU found whose build is installed), cpu, cuda or "
        "vulkan (default: the settings' choice, normally auto)",
    )
    ap.add_argument(
        "--gpu-layers",
        type=int,
        default=0,
        metavar="N",
        help="layers offloaded to the GPU, -1 for all (default: 0; ignored on the CPU)",
    )
    ap.set_defaults(func=run)


def _event_json(ev: p.Message) -> dict[str, Any]:
    body = asdict(ev)
    body.pop("req", None)
    return {"type": ev.type, **body}


class _Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.sources: list[dict[str, Any]] = []
        self.progress_shown = False  # a progress line on the terminal, to clear

    def line(self, obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def event(self, ev: p.Message) -> None:
        if self.as_json:
            self.line(_event_json(ev))
            return
        if self.progress_shown and not isinstance(ev, p.PromptProgress):
            sys.stderr.write("\r\033[K")
            self.progress_shown = False
        if isinstance(ev, p.PromptProgress):
            if sys.stderr.isatty():  # a log keeps only the lines that say what happened
                sys.stderr.write(f"\r{progress_line(ev)}")
                sys.stderr.flush()
                self.progress_shown = True
        elif isinstance(ev, p.Text):
            sys.stdout.write(ev.text)
            sys.stdout.flush()
        elif isinstance(ev, p.Reasoning) and ev.text is not None:
            shown = f"[withheld: {', '.join(ev.categories)}] " if ev.withheld else ev.text
            sys.stderr.write(f"\033[2m{shown}\033[0m" if sys.stderr.isatty() else shown)
            sys.stderr.flush()
        elif isinstance(ev, p.ReasoningSummary):
            sys.stderr.write(f"summary of the reasoning: {ev.text or ev.error}\n")
        elif isinstance(ev, p.DocumentsPlan):
            note(documents_line(ev))
        elif isinstance(ev, p.ToolCallEvent) and ev.name == TOOL_NAME:
            note(f"searched the documents: {ev.arguments}")
        elif isinstance(ev, p.Sources):
            self.sources = ev.sources

    def print_sources(self) -> None:
        if self.as_json or not self.sources:
            return
        sys.stdout.write("\nSources:\n")
        for n, src in enumerate(self.sources, 1):
            where = place(src.get("page"), src.get("heading"))
            cited = " (cited)" if src.get("cited") else ""
            sys.stdout.write(f"{n}. {src['file']}{', ' + where if where else ''}{cited}\n")
            sys.stdout.write(f"   {src['excerpt']}\n")
        sys.stdout.flush()

    def error(self, message: str) -> None:
        if self.as_json:
            self.line({"type": "error", "message": message})


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    args.backend = args.backend or settings.backend
    args.gpu = args.gpu or settings.gpu_backend
    model = resolve_model(args.model, args.backend)
    if args.attach and args.prompt is None and not os.path.exists(args.attach[-1]):
        if _looks_like_a_path(args.attach[-1]):  # a typo, not a question to answer
            raise CliError(
                f"{args.attach[-1]}: no such file or folder "
                "(the question goes after the documents, or after --)"
            )
        args.prompt = args.attach.pop()  # "--attach a.pdf b.pdf 'question'"
    messages = load_messages(args.conversation, args.prompt)
    attached = attach_files(args.attach) if args.attach else []
    args.documents = [{"path": a.path, "message": len(messages) - 1} for a in attached]
    args.tool_specs = load_tools(args.tools)
    if args.max_tokens < 1:
        raise CliError("--max-tokens must be at least 1")
    args.reasoning = args.reasoning or settings.reasoning_display
    try:
        args.layers = parse_layers(
            args.layers if args.layers is not None else settings.moderation_layers
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    guard = args.guard_model or (settings.guard_model if "guard" in args.layers else None)
    if "guard" in args.layers and not guard:
        note(NO_GUARD_CHOSEN)
    out = _Output(args.json)
    client = EngineClient()
    try:
        # Progress is for people watching, not for pipes and logs.
        loaded = start_and_load(
            client,
            model.path,
            n_ctx=args.ctx or settings.n_ctx(),
            n_threads=args.threads or settings.n_threads(),
            show_progress=sys.stderr.isatty(),
            guard_model=guard if "guard" in args.layers else None,
            backend=args.backend,
            gpu_backend=args.gpu,
            n_gpu_layers=args.gpu_layers,
            embedding_model=_embedding_model(args, settings.embedding_path()),
        )
        if args.gpu not in ("auto", loaded.device) and loaded.device_note:
            note(loaded.device_note)  # a GPU was asked for and the CPU runs the model
        if args.effort and not (loaded.supports_effort or loaded.thinking_switch):
            note(f"{loaded.name} has no reasoning control; --effort is ignored")
        return _chat(client, out, messages, args)
    except CliError as exc:
        out.error(str(exc))
        raise
    finally:
        client.shutdown()


def _looks_like_a_path(text: str) -> bool:
    """One word with a document's suffix or a folder separator: a file name, not a question."""
    if not text or any(c.isspace() for c in text):
        return False
    return "/" in text or os.sep in text or Path(text).suffix.lower() in SUFFIXES


def _embedding_model(args: argparse.Namespace, chosen: str | None) -> str | None:
    """The embedding model to load: only documents use it, so none without ``--attach``."""
    if not args.attach:
        return None
    flag: str | None = args.embedding_model
    return (flag if flag is not None else chosen) or None


def _chat(client: EngineClient, out: _Output, messages: Any, args: Any) -> int:
    req = client.generate(
        messages,
        effort=args.effort or "medium",
        max_tokens=args.max_tokens,
        temperature=args.temperature,
        seed=args.seed,
        tools=args.tool_specs,
        reasoning=args.reasoning,
        moderation=args.layers,
        documents=args.documents,
        documents_index=str(default_index_path()) if args.documents else None,
    )
    code = 0
    cancelled = False
    while True:
        try:
            ev = client.next_event(timeout=1.0)
        except KeyboardInterrupt:
            if cancelled:
                raise CliError("interrupted", code=130) from None
            cancelled = True
            client.cancel(req)
            continue
        except queue.Empty:  # short waits keep Ctrl-C responsive
            continue
        if isinstance(ev, WorkerExited):
            if ev.partial_text and not out.as_json:
                sys.stdout.write("\n")
            raise worker_failure(ev)
        if isinstance(ev, p.Error) and ev.req == req:
            raise worker_failure(ev)
        if not isinstance(ev, p.Message) or getattr(ev, "req", None) != req:
            continue
        if isinstance(
            ev,
            p.Text
            | p.Reasoning
            | p.ToolCallEvent
            | p.Done
            | p.ReasoningSummary
            | p.DocumentsPlan
            | p.PromptProgress
            | p.Sources,
        ):
            out.event(ev)
        if isinstance(ev, p.Done):
            if not out.as_json:
                sys.stdout.write("\n")
                out.print_sources()
                _thought(ev)
            code = 130 if ev.finish_reason == "cancelled" else 0
            if not ev.summary_pending:
                return code
        if isinstance(ev, p.ReasoningSummary):
            return code


def attach_files(paths: list[str]) -> list[Attachment]:
    """Read and index the documents; failures are reported one line each, and only when none
    could be read is it an error (as with ``docs search``)."""
    files, problems = expand(paths)
    attached: list[Attachment] = []
    try:
        index = open_index(on_rebuild=note)
    except DocumentIndexError as exc:
        raise CliError(f"the document cache cannot be opened: {exc}") from None
    with index:
        index.prune(UNUSED_S)
        for file in files:
            if sys.stderr.isatty():
                note(f"reading {os.path.basename(file)}…")
            try:
                attached.append(attach(file, index))
            except AttachError as exc:
                problems.append(exc)
    for problem in problems:
        # Said as grep says an unreadable file: an error about it, while the rest goes on.
        print(f"lanterna-engine: error: {problem}", file=sys.stderr)
    for item in attached:
        if item.notice:
            note(f"{item.name}: {item.notice}")
    if not attached:
        raise CliError("none of the attached documents could be read")
    return attached


def documents_line(plan: p.DocumentsPlan) -> str:
    n = f"{plan.documents} document{'s' if plan.documents != 1 else ''}"
    if plan.strategy == "whole":
        line = f"{n} read whole ({plan.tokens:,} tokens)"
    else:
        line = (
            f"{n} too long for the context ({plan.budget:,} tokens free): "
            f"answering from matching passages"
            + (", with a documents.search tool" if plan.tool else "")
        )
    if plan.missing:
        line += f"; no longer in the index: {', '.join(os.path.basename(m) for m in plan.missing)}"
    return line


def progress_line(ev: p.PromptProgress) -> str:
    what = "embedding passages" if ev.stage == "passages" else "reading the prompt"
    return f"{what}… {100 * ev.done // max(1, ev.total)}% ({ev.done:,} of {ev.total:,})"


def _thought(done: p.Done) -> None:
    if done.reasoning_tokens and sys.stderr.isatty():
        sys.stderr.write(
            f"thought for {done.reasoning_seconds:.1f} s · {done.reasoning_tokens} tokens\n"
        )
