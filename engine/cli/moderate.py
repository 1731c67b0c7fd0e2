"""``lanterna-engine moderate``: run reasoning text through the moderation filter.

The text (a file, or stdin with ``-`` or no argument) is cut into sentences exactly as the
worker cuts streaming reasoning, and each sentence passes the chosen layers. Plain output is the
filtered text, a withheld sentence shown as ``[withheld: category, …]``; ``--json`` prints one
object per segment with ``text``, ``redactions``, ``categories`` and ``withheld``.

Input is read in pieces, so a large file is filtered in bounded memory.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from engine.cli.common import NO_GUARD_CHOSEN, CliError, note
from engine.moderation.guard import GuardModel, load_guard
from engine.moderation.lexicon import Lexicon, LexiconError
from engine.moderation.pipeline import FilteredSegment, Moderator, parse_layers
from engine.moderation.segmenter import SentenceStream
from engine.settings import load_settings

CHUNK_CHARS = 64 * 1024


def add_parser(sub: Any) -> None:
    ap: argparse.ArgumentParser = sub.add_parser(
        "moderate", help="filter reasoning text (lexical screen, PII redaction, guard model)"
    )
    ap.add_argument("file", nargs="?", default="-", help="a UTF-8 text file (default: stdin)")
    ap.add_argument(
        "--layers",
        help="comma-separated layers: lexical,pii,guard (default: the settings' layers)",
    )
    ap.add_argument("--guard-model", metavar="GGUF", help="classifier model for the guard layer")
    ap.add_argument("--json", action="store_true", help="one JSON object per segment")
    ap.set_defaults(func=run)


def _chunks(stream: IO[str]) -> Iterator[str]:
    while chunk := stream.read(CHUNK_CHARS):
        yield chunk


def _open_input(name: str) -> IO[str]:
    if name == "-":
        sys.stdin.reconfigure(encoding="utf-8", errors="strict")  # type: ignore[union-attr]
        return sys.stdin
    try:
        return Path(name).open(encoding="utf-8", errors="strict")
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None


def _guard(layers: tuple[str, ...], path: str | None) -> GuardModel | None:
    if "guard" not in layers:
        return None
    if not path:
        note(NO_GUARD_CHOSEN)
        return None
    # Imported here: the other layers must work where llama.cpp is not installed.
    from engine.backends.llamacpp import LlamaCppBackend

    result = load_guard(path, LlamaCppBackend)
    if result.state == "failed":
        raise CliError(result.message)
    if result.state == "missing":
        note(result.message)
    return result.model


def _print(seg: FilteredSegment, raw: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(seg.to_json(), ensure_ascii=False) + "\n")
        return
    if seg.withheld:
        # Keep the sentence's trailing white space, so paragraphs stay where they were.
        tail = raw[len(raw.rstrip()) :]
        sys.stdout.write(f"[withheld: {', '.join(seg.categories)}]{tail}")
    else:
        sys.stdout.write(seg.text)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        layers = parse_layers(
            args.layers if args.layers is not None else settings.moderation_layers
        )
        lexicon = Lexicon.load()
    except (ValueError, LexiconError) as exc:
        raise CliError(str(exc)) from None
    moderator = Moderator(layers, lexicon)
    guard = _guard(layers, args.guard_model or settings.guard_model)
    stream = _open_input(args.file)
    sentences = SentenceStream()
    try:
        for chunk in _chunks(stream):
            for sentence in sentences.feed(chunk):
                _print(moderator.check(sentence, guard), sentence, args.json)
        for sentence in sentences.finish():
            _print(moderator.check(sentence, guard), sentence, args.json)
    except UnicodeDecodeError:
        raise CliError(f"{args.file} is not UTF-8 text") from None
    finally:
        if stream is not sys.stdin:
            stream.close()
        if guard is not None:
            guard.close()
    sys.stdout.flush()
    return 0
