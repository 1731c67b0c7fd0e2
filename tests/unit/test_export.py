"""Exports carry the conversation and the filtered reasoning the user saw, nothing else, and
land on disk whole or not at all."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.atomic import write_text_atomic
from engine.branches import MessageTree
from engine.export import FORMAT, export_json, export_markdown
from engine.store import Conversation, Store, StoredMessage

MARKER = "XYZZY-MUST-NOT-LEAK"


def _reasoning() -> dict[str, Any]:
    return {
        "display": "filtered",
        "tokens": 42,
        "seconds": 3.25,
        "effort": "medium",
        "thinking": True,
        "segments": [
            {
                "text": " The user wants a greeting. ",
                "redactions": [],
                "categories": [],
                "withheld": False,
            },
            {
                "text": "Their e-mail is [email].",
                "redactions": [{"kind": "email", "start": 16, "end": 23, "note": MARKER}],
                "categories": [],
                "withheld": False,
            },
            # A withheld segment shows as its marker only, whatever else it holds.
            {
                "text": f"how to {MARKER}",
                "redactions": [],
                "categories": ["violence", "weapons"],
                "withheld": True,
                "extra": MARKER,
            },
            {"text": "Anyway, olá.", "redactions": [], "categories": [], "withheld": False},
        ],
        "summary": {
            "text": "Decided to greet.",
            "redactions": [],
            "categories": [],
            "error": MARKER,
            "raw": MARKER,
        },
        "raw": f"the raw chain of thought {MARKER}",
        MARKER: "as a key too",
    }


def _meta() -> dict[str, Any]:
    return {
        "finish_reason": "stop",
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "cached_tokens": 0,
        "ttft_ms": 120.4,
        "tokens_per_s": 31.42,
        "tool_calls": [{"name": MARKER, "arguments": MARKER}],
        "model": "gpt-oss-20b",
        "effort": "high",
        "debug": MARKER,
    }


def _conversation(store: Store) -> tuple[Conversation, list[StoredMessage]]:
    cid = store.create_conversation("Saudação — ¿Qué tal?")
    u = store.add_message(cid, "user", "Olá! Como está o coração? ¿Y tu corazón? 🙂")
    a = store.add_message(
        cid, "assistant", "Tudo ótimo, **obrigado**!", parent_id=u,
        reasoning=_reasoning(), meta=_meta(),
    )  # fmt: skip
    store.add_message(cid, "user", "E agora?", parent_id=a)
    conv = store.conversation(cid)
    assert conv is not None
    return conv, MessageTree(store.messages(cid)).default_path()


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Conversation, list[StoredMessage]]:
    store = Store(tmp_path / "store.sqlite3")
    try:
        return _conversation(store)
    finally:
        store.close()


def test_unknown_and_unfiltered_fields_never_reach_an_export(
    exported: tuple[Conversation, list[StoredMessage]],
) -> None:
    conv, path = exported
    # The marker really is in what was stored, so its absence below means something.
    assert MARKER in json.dumps(path[1].reasoning) and MARKER in json.dumps(path[1].meta)
    markdown = export_markdown(conv, path)
    as_json = json.dumps(export_json(conv, path), ensure_ascii=False)
    for text in (markdown, as_json):
        assert MARKER not in text
        assert "raw chain" not in text and "how to" not in text
        assert "[withheld: violence, weapons]" in text
        assert "Their e-mail is [email]." in text and "Decided to greet." in text


def test_json_export(exported: tuple[Conversation, list[StoredMessage]]) -> None:
    conv, path = exported
    data = json.loads(json.dumps(export_json(conv, path), ensure_ascii=False, allow_nan=False))
    assert data["format"] == FORMAT == "lanterna.conversation/1"
    assert data["title"] == "Saudação — ¿Qué tal?"
    for key, ts in (("created", conv.created), ("updated", conv.updated)):
        when = datetime.fromisoformat(data[key])
        offset = when.utcoffset()
        assert offset is not None and offset.total_seconds() == 0
        assert abs(when.timestamp() - ts) < 1
    user, answer, follow = data["messages"]
    assert user == {
        "role": "user",
        "content": "Olá! Como está o coração? ¿Y tu corazón? 🙂",
        "created": user["created"],
        "incomplete": False,
    }
    assert datetime.fromisoformat(user["created"]).tzinfo is not None
    assert answer["role"] == "assistant" and answer["content"] == "Tudo ótimo, **obrigado**!"
    assert answer["model"] == "gpt-oss-20b" and answer["effort"] == "high"
    assert answer["stats"] == {
        "reasoning_tokens": 42,
        "reasoning_seconds": 3.25,
        "tokens_per_s": 31.42,
        "ttft_ms": 120.4,
    }
    assert answer["reasoning"] == {
        "segments": [
            " The user wants a greeting. ",
            "Their e-mail is [email].",
            "[withheld: violence, weapons]",
            "Anyway, olá.",
        ],
        "summary": "Decided to greet.",
    }
    assert set(answer) == {
        "role", "content", "created", "incomplete", "model", "effort", "stats", "reasoning",
    }  # fmt: skip
    assert follow["content"] == "E agora?" and "reasoning" not in follow


def test_markdown_export(exported: tuple[Conversation, list[StoredMessage]]) -> None:
    conv, path = exported
    md = export_markdown(conv, path)
    lines = md.splitlines()
    assert lines[0] == "# Saudação — ¿Qué tal?"
    assert md.endswith("\n")
    assert md.count("**You**") == 2 and md.count("**Assistant**") == 1
    you, answer, reasoning, summary = (
        md.index("Olá! Como está"),
        md.index("Tudo ótimo"),
        md.index("> **Reasoning**"),
        md.index("> **Summary:** Decided to greet."),
    )
    assert you < answer < reasoning < summary < md.index("E agora?")
    # The reasoning reads as one text inside a blockquote, the marker set apart by spaces.
    quote_start = lines.index("> **Reasoning**")
    quote = []
    for line in lines[quote_start:]:
        if not line.startswith(">"):
            break
        quote.append(line)
    assert (
        "> The user wants a greeting. Their e-mail is [email]. [withheld: violence, weapons]"
        " Anyway, olá." in quote
    )
    stats = next(line for line in lines if "tokens/s" in line)
    assert stats.startswith("*") and stats.endswith("*")
    for part in ("effort high", "42 reasoning tokens", "31.4 tokens/s", "120 ms"):
        assert part in stats
    assert "gpt-oss-20b" in md


def test_answers_without_reasoning_or_stats_export_plainly() -> None:
    conv = Conversation(1, "", 0.0, 0.0, {})
    msgs = [
        StoredMessage(1, 1, None, "user", "hi", {}, {}, False, 0.0),
        StoredMessage(2, 1, 1, "assistant", "", {"segments": "nonsense"}, {}, True, 1.0),
        StoredMessage(
            3, 1, 1, "assistant", "ok",
            {"tokens": float("nan"), "segments": [], "summary": {"text": "  ", "error": "x"}},
            {"tokens_per_s": float("inf"), "ttft_ms": True, "model": 7},
            False, 2.0,
        ),
    ]  # fmt: skip
    md = export_markdown(conv, msgs)
    assert md.startswith("# Untitled conversation\n")
    assert "Reasoning" not in md and "tokens/s" not in md and "*(incomplete)*" in md
    assert "(7)" not in md
    data = export_json(conv, msgs)
    json.dumps(data, allow_nan=False)  # NaN or inf would make invalid JSON
    assert data["created"] == "1970-01-01T00:00:00+00:00"
    for item in data["messages"][1:]:
        assert "reasoning" not in item and "stats" not in item and "model" not in item
    assert data["messages"][1]["incomplete"] is True


def test_export_of_an_empty_conversation() -> None:
    conv = Conversation(1, "Vazio", 0.0, 0.0, {})
    assert export_markdown(conv, []) == "# Vazio\n"
    assert export_json(conv, [])["messages"] == []


def test_write_text_atomic(tmp_path: Path) -> None:
    target = tmp_path / "conversa.md"
    write_text_atomic(target, "primeira versão\n")
    assert target.read_bytes() == "primeira versão\n".encode()
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o600)
    write_text_atomic(target, "segunda\r\nversión ✓")
    assert target.read_bytes() == "segunda\r\nversión ✓".encode()  # newlines as given
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the file keeps its mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conversa.md"]


def test_a_failed_atomic_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "conversa.json"
    target.write_text("old", "utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new")
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["conversa.json"]  # no temp file left


def test_export_written_to_disk_round_trips(
    tmp_path: Path, exported: tuple[Conversation, list[StoredMessage]]
) -> None:
    conv, path = exported
    out = tmp_path / "export"
    out.mkdir()
    write_text_atomic(out / "c.json", json.dumps(export_json(conv, path), ensure_ascii=False))
    write_text_atomic(out / "c.md", export_markdown(conv, path))
    data = json.loads((out / "c.json").read_text("utf-8"))
    assert data["messages"][0]["content"] == "Olá! Como está o coração? ¿Y tu corazón? 🙂"
    assert (out / "c.md").read_text("utf-8") == export_markdown(conv, path)
    assert datetime.fromisoformat(data["updated"]) >= datetime.fromtimestamp(0, UTC)


def test_documents_and_sources_are_exported_by_name_and_place_only() -> None:
    conv = Conversation(1, "Docs", 0.0, 0.0, {})
    attached = [
        {"path": f"/home/{MARKER}/guide.pdf", "name": "guide.pdf", "pages": 3, "size": 10},
        {"path": "/d/notes.md", "name": "notes.md", "pages": None, "notice": MARKER},
        {"broken": True},
    ]
    cited = [
        {"file": "guide.pdf", "path": f"/home/{MARKER}/guide.pdf", "page": 2, "excerpt": MARKER},
        {"file": "guide.pdf", "path": "/d/guide.pdf", "page": 2, "excerpt": "again"},
        {"file": "notes.md", "path": "/d/notes.md", "page": None, "heading": "Setup › Linux"},
        "nonsense",
    ]
    msgs = [
        StoredMessage(1, 1, None, "user", "When?", {}, {"attachments": attached}, False, 0.0),
        StoredMessage(2, 1, 1, "assistant", "Tuesday.", {}, {"sources": cited}, False, 1.0),
    ]
    md = export_markdown(conv, msgs)
    data = export_json(conv, msgs)
    assert MARKER not in md and MARKER not in json.dumps(data)
    assert "*Attached: guide.pdf (3 pages), notes.md*" in md
    assert "**Sources**\n\n1. guide.pdf, p. 2\n2. notes.md, Setup › Linux" in md
    assert md.index("*Attached") < md.index("When?") < md.index("Tuesday.") < md.index("**Sources")
    user, answer = data["messages"]
    assert user["attachments"] == [{"name": "guide.pdf", "pages": 3}, {"name": "notes.md"}]
    assert answer["sources"] == [
        {"file": "guide.pdf", "page": 2},
        {"file": "notes.md", "heading": "Setup › Linux"},
    ]
