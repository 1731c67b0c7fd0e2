"""The streaming harmony parser: examples, then properties over arbitrary token streams."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest
import quicktok
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.harmony import tokens as t
from engine.harmony.header import MessageHeader, parse_header
from engine.harmony.parser import (
    MAX_HEADER_CHARS,
    HarmonyDelta,
    HarmonyEvent,
    HarmonyMessageEnd,
    HarmonyStreamParser,
)

Token = tuple[int, bytes]
TEXT_ID = 1000  # the parser reads text tokens by their bytes; the id only has to be ordinary

ANALYSIS_MARKER = "ANALYSIS-SECRET-7f3a"
UNKNOWN_SPECIALS = (199998, 199999, 200000, 200004, 200018)


def run(stream: Iterable[Token], *, finish: bool = True) -> tuple[list[HarmonyEvent], bool]:
    parser = HarmonyStreamParser()
    events: list[HarmonyEvent] = []
    for token, piece in stream:
        events.extend(parser.feed(token, piece))
    done = parser.done
    if finish:
        events.extend(parser.finish())
    return events, done


def encode(text: str) -> list[Token]:
    """Real o200k_harmony tokens of ``text`` (special tokens parsed), with their bytes."""
    enc: Any = quicktok.get_encoding("o200k_harmony")
    return [(i, enc.decode_single_token_bytes(i)) for i in enc.encode(text, allowed_special="all")]


def ends(events: Sequence[HarmonyEvent]) -> list[HarmonyMessageEnd]:
    return [e for e in events if isinstance(e, HarmonyMessageEnd)]


def final_text(events: Sequence[HarmonyEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, HarmonyDelta) and e.channel == "final")


# --- examples -------------------------------------------------------------------------------------


def test_analysis_then_final_then_return() -> None:
    events, done = run(
        encode(
            "<|channel|>analysis<|message|>User greets. Reply in kind — 😀<|end|>"
            "<|start|>assistant<|channel|>final<|message|>Hello there! 你好<|return|>"
        )
    )
    assert done
    assert [(e.channel, e.text, e.stop) for e in ends(events)] == [
        ("analysis", "User greets. Reply in kind — 😀", "end"),
        ("final", "Hello there! 你好", "return"),
    ]
    assert final_text(events) == "Hello there! 你好"
    analysis = "".join(
        e.text for e in events if isinstance(e, HarmonyDelta) and e.channel == "analysis"
    )
    assert analysis == "User greets. Reply in kind — 😀"


def test_tool_call_with_recipient_after_channel_and_constrained_json() -> None:
    events, done = run(
        encode(
            "<|channel|>analysis<|message|>Need the weather.<|end|>"
            "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json"
            '<|message|>{"location":"Tokyo"}<|call|>'
        ),
        finish=False,
    )
    assert done
    call = ends(events)[-1]
    assert call == HarmonyMessageEnd(
        "commentary", "functions.get_weather", "json", '{"location":"Tokyo"}', "call"
    )
    assert final_text(events) == ""


def test_tool_call_in_the_renderers_header_order() -> None:
    events, done = run(
        encode(" to=functions.lookup<|channel|>commentary <|constrain|>json<|message|>{}<|call|>")
    )
    assert done
    assert ends(events) == [
        HarmonyMessageEnd("commentary", "functions.lookup", "json", "{}", "call")
    ]


def test_missing_channel_is_never_final() -> None:
    events, _ = run(encode("<|message|>no channel here<|end|><|start|>assistant<|message|>x"))
    assert [(e.channel, e.text, e.stop) for e in ends(events)] == [
        (None, "no channel here", "end"),
        (None, "x", "interrupted"),
    ]
    assert final_text(events) == ""


@pytest.mark.parametrize("channel", ["finals", "Final", "final2", "fin", "analysis"])
def test_near_miss_channels_are_not_final(channel: str) -> None:
    events, _ = run(encode(f"<|channel|>{channel}<|message|>text<|return|>"))
    assert ends(events)[0].channel == channel
    assert final_text(events) == ""


def test_garbage_never_raises_and_is_not_final() -> None:
    garbage: list[Token] = [(TEXT_ID, bytes(range(256)))] * 50
    garbage += [(token, b"") for token in (*UNKNOWN_SPECIALS, t.CONSTRAIN, t.CHANNEL)]
    garbage += [(TEXT_ID, b"\xff\xfe final \xc3"), (t.MESSAGE, b""), (TEXT_ID, b"\xa9 ok")]
    events, done = run(garbage)
    assert not done
    assert final_text(events) == ""
    # The header overflowed, so the content that followed has no channel at all.
    # A character cannot straddle header and content: "\xc3" then "\xa9" are two bad bytes.
    assert ends(events) == [HarmonyMessageEnd(None, None, None, "\ufffd ok", "interrupted")]


def test_overlong_header_is_dropped_even_if_it_names_final() -> None:
    stream = [(t.CHANNEL, b""), (TEXT_ID, b"final")]
    stream += [(TEXT_ID, b" x" * 10)] * (MAX_HEADER_CHARS // 10)
    stream += [(t.MESSAGE, b""), (TEXT_ID, b"secret"), (t.RETURN, b"")]
    events, done = run(stream)
    assert done
    assert ends(events) == [HarmonyMessageEnd(None, None, None, "secret", "return")]


def test_header_memory_is_bounded() -> None:
    parser = HarmonyStreamParser()
    for _ in range(10_000):
        parser.feed(TEXT_ID, b"garbage ")
    assert parser._header is not None
    assert parser._header._length <= MAX_HEADER_CHARS
    assert not parser._header._parts


def test_finish_interrupts_an_open_message() -> None:
    events, done = run(encode("<|channel|>final<|message|>Half an ans"))
    assert not done
    assert ends(events) == [HarmonyMessageEnd("final", None, None, "Half an ans", "interrupted")]


def test_split_character_at_the_end_becomes_a_replacement_character() -> None:
    events, _ = run(
        [(t.CHANNEL, b""), (TEXT_ID, b"final"), (t.MESSAGE, b""), (TEXT_ID, b"a\xe4\xb8")]
    )
    assert final_text(events) == "a\ufffd"
    assert ends(events)[0].text == "a\ufffd"


def test_nothing_after_return_or_call() -> None:
    for stop in (t.RETURN, t.CALL):
        parser = HarmonyStreamParser()
        for token, piece in encode("<|channel|>final<|message|>done"):
            parser.feed(token, piece)
        last = parser.feed(stop, b"")[-1]
        assert isinstance(last, HarmonyMessageEnd)
        assert last.text == "done"
        assert parser.done
        assert parser.feed(t.START, b"") == []
        assert parser.feed(TEXT_ID, b"more") == []
        assert parser.finish() == []


def test_start_inside_content_interrupts_the_message() -> None:
    events, _ = run(
        encode(
            "<|channel|>analysis<|message|>thinking<|start|>assistant<|channel|>final<|message|>A<|end|>"
        )
    )
    assert [(e.channel, e.text, e.stop) for e in ends(events)] == [
        ("analysis", "thinking", "interrupted"),
        ("final", "A", "end"),
    ]


def test_channel_right_after_end_opens_a_header() -> None:
    events, _ = run(
        encode("<|channel|>analysis<|message|>a<|end|><|channel|>final<|message|>b<|return|>")
    )
    assert final_text(events) == "b"


def test_text_between_messages_is_dropped() -> None:
    events, _ = run(
        encode(
            "<|channel|>final<|message|>a<|end|>stray text"
            "<|start|>assistant<|channel|>final<|message|>b<|end|>"
        )
    )
    assert final_text(events) == "ab"


def test_header_without_content_still_ends_a_call() -> None:
    events, done = run(encode("<|channel|>commentary to=functions.now<|call|>"))
    assert done
    assert ends(events) == [HarmonyMessageEnd("commentary", "functions.now", None, "", "call")]


def test_pieces_of_special_tokens_are_ignored() -> None:
    events, _ = run(
        [
            (t.CHANNEL, b"<|channel|>"),
            (TEXT_ID, b"final"),
            (t.MESSAGE, b"<|message|>"),
            (TEXT_ID, b"hi"),
            (t.END, b"<|end|>"),
        ]
    )
    assert ends(events) == [HarmonyMessageEnd("final", None, None, "hi", "end")]


def test_header_text_split_across_many_tokens() -> None:
    pieces = [b" t", b"o=func", b"tions.", b"x", b"<|chan", b"nel|>comm", b"entary j", b"son"]
    stream: list[Token] = [(TEXT_ID, p) for p in pieces]
    stream += [(t.MESSAGE, b""), (TEXT_ID, b"{}"), (t.CALL, b"")]
    events, _ = run(stream)
    assert ends(events) == [HarmonyMessageEnd("commentary", "functions.x", "json", "{}", "call")]


@pytest.mark.parametrize(
    ("text", "implicit", "header"),
    [
        ("<|channel|>final", True, MessageHeader("final")),
        ("assistant<|channel|>analysis", False, MessageHeader("analysis")),
        (
            "assistant to=functions.f<|channel|>commentary <|constrain|>json",
            False,
            MessageHeader("commentary", "functions.f", "json"),
        ),
        (
            "<|channel|>commentary to=functions.f<|constrain|>json",
            True,
            MessageHeader("commentary", "functions.f", "json"),
        ),
        (
            "<|channel|>commentary to=functions.f <|constrain|> json",
            True,
            MessageHeader("commentary", "functions.f", "json"),
        ),
        (
            " to=functions.f<|channel|>commentary json",
            True,
            MessageHeader("commentary", "functions.f", "json"),
        ),
        (
            "functions.f to=assistant<|channel|>commentary",
            False,
            MessageHeader("commentary", "assistant"),
        ),
        ("<|channel|>", True, MessageHeader()),
        ("<|channel|><|channel|>final", True, MessageHeader()),
        ("<|channel|>analysis<|channel|>final", True, MessageHeader("analysis")),
        ("", True, MessageHeader()),
        ("assistant", True, MessageHeader()),
    ],
)
def test_header_shapes(text: str, implicit: bool, header: MessageHeader) -> None:
    assert parse_header(text, implicit_role=implicit) == header


# --- a reference segmentation, written plainly over the whole stream ------------------------------


def reference_messages(stream: Sequence[Token]) -> list[tuple[str | None, str]]:
    """(channel, content) of every message the stream contains, computed without streaming.

    Rules: ``<|start|>`` opens a header (closing open content), ``<|message|>`` turns the header
    into content (or opens content with no header between messages), ``<|end|>``/``<|call|>``/
    ``<|return|>`` close the message and the last two end everything; ``<|channel|>`` and
    ``<|constrain|>`` are header markers (and ``<|channel|>`` right after a message opens a header);
    other specials are ignored; text between messages is dropped. A header closed without content
    is an empty message, unless ``<|start|>`` replaced it. The channel is what follows the first
    ``<|channel|>`` up to whitespace or ``<``; a header longer than the cap has none.
    """
    messages: list[tuple[str | None, str]] = []
    mode = "header"
    header: list[str | bytes] = []
    content = b""
    channel: str | None = None

    def header_text() -> str:
        return "".join(
            part if isinstance(part, str) else part.decode("utf-8", "replace") for part in header
        )

    def header_channel() -> str | None:
        text = header_text()
        if len(text) > MAX_HEADER_CHARS or t.CHANNEL_TEXT not in text:
            return None
        rest = text.split(t.CHANNEL_TEXT, 1)[1]
        name = ""
        for char in rest:
            if char.isspace() or char == "<":
                break
            name += char
        return name or None

    def add_header_bytes(piece: bytes) -> None:
        if header and isinstance(header[-1], bytes):
            header[-1] += piece
        else:
            header.append(piece)

    for token, piece in stream:
        if token == t.START:
            if mode == "content":
                messages.append((channel, content.decode("utf-8", "replace")))
            mode, header = "header", []
        elif token == t.MESSAGE:
            if mode != "content":
                channel = header_channel() if mode == "header" else None
                mode, content = "content", b""
        elif token in (t.CHANNEL, t.CONSTRAIN):
            if mode == "idle" and token == t.CHANNEL:
                mode, header = "header", []
            if mode == "header":
                header.append(t.TEXT_OF[token])
        elif token in (t.END, t.RETURN, t.CALL):
            if mode == "content":
                messages.append((channel, content.decode("utf-8", "replace")))
            elif mode == "header" and header_text():
                messages.append((header_channel(), ""))
            mode = "idle"
            if token != t.END:
                return messages
        elif t.is_special(token):
            continue
        elif mode == "header":
            add_header_bytes(piece)
        elif mode == "content":
            content += piece
    if mode == "content":
        messages.append((channel, content.decode("utf-8", "replace")))
    elif mode == "header" and header_text():
        messages.append((header_channel(), ""))
    return messages


# --- properties -----------------------------------------------------------------------------------


def _utf8_chunks(text: str) -> st.SearchStrategy[list[bytes]]:
    """``text`` as UTF-8 cut at arbitrary byte positions (splitting characters)."""
    data = text.encode("utf-8")
    return st.lists(st.integers(0, len(data)), max_size=4).map(
        lambda cuts: [
            data[a:b] for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), len(data)], strict=True)
        ]
    )


_words = st.sampled_from(
    [
        "final",
        "analysis",
        "commentary",
        "assistant",
        " to=functions.x",
        " json",
        " ",
        "\n",
        "<|channel|>",
        "<",
        "finals",
        ANALYSIS_MARKER,
        "é",
        "😀",
        "中文",
    ]
)
_text_piece = st.one_of(
    _words.map(str.encode),
    st.binary(max_size=6),
    st.sampled_from(["é", "😀", "中"]).map(lambda c: c.encode()[:1]),
    st.sampled_from(["é", "😀", "中"]).map(lambda c: c.encode()[1:]),
)
_specials = st.sampled_from(
    [t.START, t.END, t.MESSAGE, t.CHANNEL, t.CONSTRAIN, t.RETURN, t.CALL, *UNKNOWN_SPECIALS]
)
_token = st.one_of(
    _specials.map(lambda token: (token, t.TEXT_OF.get(token, "").encode())),
    st.tuples(st.integers(0, t.FIRST_SPECIAL_ID - 1), _text_piece),
)


_channel_names = st.sampled_from(["final", "analysis", "commentary", "final ", "finals", ""])
# Whole header fragments, so that random streams often contain real (and near-miss) messages.
_fragment = st.one_of(
    _token.map(lambda token: [token]),
    _channel_names.map(lambda name: [(t.CHANNEL, b""), (TEXT_ID, name.encode())]),
    st.just([(t.START, b""), (TEXT_ID, b"assistant")]),
    st.just([(t.MESSAGE, b""), (TEXT_ID, ANALYSIS_MARKER.encode())]),
    _text_piece.map(
        lambda piece: [(t.CHANNEL, b""), (TEXT_ID, b"final"), (t.MESSAGE, b""), (TEXT_ID, piece)]
    ),
)
_streams = st.lists(_fragment, max_size=30).map(lambda parts: [x for part in parts for x in part])


@settings(max_examples=1500, deadline=None)
@given(stream=_streams, finish=st.booleans())
def test_any_stream_matches_the_reference_segmentation(stream: list[Token], finish: bool) -> None:
    events, done = run(stream, finish=finish)
    reference_final = [text for channel, text in reference_messages(stream) if channel == "final"]

    # Every message's deltas add up to its end text, and carry its channel.
    pending: list[HarmonyDelta] = []
    for event in events:
        if isinstance(event, HarmonyDelta):
            pending.append(event)
            continue
        assert all((d.channel, d.recipient) == (event.channel, event.recipient) for d in pending)
        assert "".join(d.text for d in pending) == event.text
        pending = []

    ended_final = [e.text for e in ends(events) if e.channel == "final"]
    if finish or done:
        assert ended_final == reference_final
        assert final_text(events) == "".join(reference_final)
    else:
        # Without finish() the last message may still be open: its deltas are out (but for bytes
        # of a character not complete yet), its end is not.
        assert ended_final == reference_final[: len(ended_final)]
        assert "".join(reference_final).startswith(final_text(events))


_safe_garbage = st.one_of(
    st.sampled_from([t.START, t.END, t.CONSTRAIN, *UNKNOWN_SPECIALS]).map(lambda x: (x, b"")),
    # No letters: garbage must not be able to spell a channel name.
    st.tuples(
        st.just(TEXT_ID), st.binary(max_size=4).filter(lambda b: not any(65 <= c <= 122 for c in b))
    ),
)


@st.composite
def _conversation(draw: st.DrawFn) -> tuple[list[Token], list[str], bool]:
    """Well-formed messages, optionally with garbage spliced in; returns the expected finals."""
    stream: list[Token] = []
    finals: list[str] = []
    count = draw(st.integers(1, 5))
    for index in range(count):
        channel = draw(st.sampled_from(["analysis", "final", "commentary", None, "finalize"]))
        header = b"" if index == 0 else b"assistant"
        if index:
            stream.append((t.START, b""))
        if channel == "commentary" and draw(st.booleans()):
            header += b" to=functions.x"
        stream.append((TEXT_ID, header))
        if channel is not None:
            stream += [(t.CHANNEL, b""), (TEXT_ID, channel.encode())]
        stream.append((t.MESSAGE, b""))
        body = draw(st.text(st.characters(codec="utf-8"), max_size=12))
        if channel != "final":
            body = f"{body}{ANALYSIS_MARKER}{body}"
        else:
            finals.append(body)
        stream += [(TEXT_ID, chunk) for chunk in draw(_utf8_chunks(body))]
        last = index == count - 1
        stream.append((draw(st.sampled_from([t.RETURN, t.CALL, t.END])) if last else t.END, b""))
    spliced = draw(st.booleans())
    if spliced:
        for _ in range(draw(st.integers(1, 6))):
            stream.insert(draw(st.integers(0, len(stream))), draw(_safe_garbage))
    return stream, finals, spliced


@settings(max_examples=1500, deadline=None)
@given(case=_conversation())
def test_analysis_never_reaches_final_and_clean_streams_decode_exactly(
    case: tuple[list[Token], list[str], bool],
) -> None:
    stream, finals, spliced = case
    events, _ = run(stream)
    for event in events:
        if event.channel == "final":
            assert ANALYSIS_MARKER not in event.text
    if not spliced:
        assert [e.text for e in ends(events) if e.channel == "final"] == finals
        assert final_text(events) == "".join(finals)


@settings(max_examples=500, deadline=None)
@given(data=st.data(), text=st.text(st.characters(codec="utf-8"), max_size=30))
def test_multibyte_text_split_anywhere_decodes_exactly(data: st.DataObject, text: str) -> None:
    chunks = data.draw(_utf8_chunks(text))
    stream: list[Token] = [(t.CHANNEL, b""), (TEXT_ID, b"final"), (t.MESSAGE, b"")]
    stream += [(TEXT_ID, chunk) for chunk in chunks] + [(t.RETURN, b"")]
    events, done = run(stream)
    assert done
    assert final_text(events) == text
    assert ends(events) == [HarmonyMessageEnd("final", None, None, text, "return")]
