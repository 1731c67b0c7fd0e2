"""Reasoning display modes and the guard thread, on the real lexical and PII layers."""

from __future__ import annotations

import threading
import time

from engine.moderation.lexicon import Lexicon
from engine.moderation.pipeline import FilteredSegment, GuardVerdict, Moderator
from engine.moderation.stream import ReasoningStream

TEXT = (
    "First we check the docs. Write to ana.souza@example.com.br for access. "
    "Then pack the pipe bomb with black powder. Finally we answer."
)


class _SlowGuard:
    """A classifier that takes its time and flags sentences mentioning 'docs'."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.seen: list[str] = []
        self.gate = gate

    def classify(self, text: str) -> GuardVerdict:
        if self.gate is not None:
            self.gate.wait(30)
        time.sleep(0.01)
        self.seen.append(text)
        return GuardVerdict("docs" in text, ("malware",) if "docs" in text else ())


def _moderator() -> Moderator:
    return Moderator(("lexical", "pii", "guard"), Lexicon.load())


def _feed(stream: ReasoningStream, text: str) -> None:
    for i in range(0, len(text), 5):  # token-sized pieces
        stream.feed(text[i : i + 5])


def test_filtered_mode_streams_screened_sentences_in_order() -> None:
    out: list[FilteredSegment] = []
    stream = ReasoningStream("filtered", Moderator(("lexical", "pii"), Lexicon.load()), out.append)
    _feed(stream, TEXT)
    assert len(out) == 3  # the last sentence waits for what follows it
    stream.close()
    assert [s.withheld for s in out] == [False, False, True, False]
    assert out[1].text == "Write to [email] for access. "
    assert out[2].categories == ("violence",)
    assert stream.take_raw() == ""  # nothing raw is kept in filtered mode


def test_guard_verdicts_keep_order_and_never_run_on_the_feeding_thread() -> None:
    out: list[FilteredSegment] = []
    gate = threading.Event()
    guard = _SlowGuard(gate)  # judges nothing until the gate opens
    stream = ReasoningStream("filtered", _moderator(), out.append, guard)
    _feed(stream, TEXT)
    # Feeding returned while the guard was still blocked: it never waited for a verdict.
    assert out == [] and guard.seen == []
    gate.set()
    stream.close()
    assert [s.withheld for s in out] == [True, False, True, False]
    assert out[0].categories == ("malware",)  # the guard's call
    assert out[2].categories == ("violence",)  # the lexical call stands
    assert "Then pack the pipe bomb with black powder. " not in guard.seen  # already withheld


def test_cancel_drops_segments_the_guard_has_not_judged() -> None:
    out: list[FilteredSegment] = []
    gate = threading.Event()
    stream = ReasoningStream("filtered", _moderator(), out.append, _SlowGuard(gate))
    _feed(stream, TEXT)
    gate.set()
    stream.close(cancelled=True)
    assert len(out) <= 1  # at most the verdict that was under way


def test_hidden_keeps_nothing_and_summary_keeps_the_raw_text_once() -> None:
    out: list[FilteredSegment] = []
    hidden = ReasoningStream("hidden", _moderator(), out.append)
    _feed(hidden, TEXT)
    hidden.close()
    assert out == [] and hidden.take_raw() == ""
    summary = ReasoningStream("summary", _moderator(), out.append)
    _feed(summary, TEXT)
    summary.close()
    assert out == []
    assert summary.take_raw() == TEXT
    assert summary.take_raw() == ""


def test_a_summary_is_filtered_sentence_by_sentence() -> None:
    from engine.moderation.summary import filter_text, summary_messages

    text = "  The user asked for a contact. Mail joao@example.pt today. Pack the pipe bomb now."
    got = filter_text(text, Moderator(("lexical", "pii"), Lexicon.load()))
    assert got.text == "The user asked for a contact. Mail [email] today."
    assert got.withheld_segments == 1 and got.categories == ("violence",)
    (red,) = got.redactions
    assert got.text[red.start : red.end] == "[email]"
    long = "x" * 50_000
    (msg,) = summary_messages(long, "template")
    assert len(msg.content) < 13_000 and "[…]" in msg.content
