"""ThinkSplitter: routing ``<think>…</think>`` output into reasoning and answer while streaming."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hypothesis import given
from hypothesis import strategies as st

from engine.think import THINK_CLOSE, THINK_OPEN, Piece, ThinkSplitter


def merged(pieces: Iterable[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for channel, text in pieces:
        if out and out[-1][0] == channel:
            out[-1] = (channel, out[-1][1] + text)
        else:
            out.append((channel, text))
    return out


def run(chunks: Sequence[str], *, starts_in_think: bool = False) -> list[Piece]:
    splitter = ThinkSplitter(starts_in_think=starts_in_think)
    pieces: list[Piece] = []
    for chunk in chunks:
        pieces.extend(splitter.feed(chunk))
    pieces.extend(splitter.finish())
    return pieces


def joined(pieces: Iterable[Piece], channel: str) -> str:
    return "".join(text for kind, text in pieces if kind == channel)


def test_text_without_tags_is_final_at_once() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("Hello, world.") == [("final", "Hello, world.")]
    assert splitter.finish() == []


def test_think_block_then_answer() -> None:
    assert run(["<think>Let me see.</think>\n\nParis."]) == [
        ("reasoning", "Let me see."),
        ("final", "\n\nParis."),
    ]


def test_tags_split_across_chunks() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("<thi") == []
    assert splitter.feed("nk>two plus") == [("reasoning", "two plus")]
    assert splitter.feed(" two</th") == [("reasoning", " two")]
    assert splitter.in_think
    assert splitter.feed("ink>4") == [("final", "4")]
    assert not splitter.in_think
    assert splitter.finish() == []


def test_possible_tag_prefix_is_held_back_until_resolved() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("x <") == [("final", "x ")]
    assert splitter.feed("b") == [("final", "<b")]
    assert splitter.feed("hello <thi") == [("final", "hello ")]
    assert splitter.finish() == [("final", "<thi")]


def test_starts_in_think_for_prompts_that_open_the_block() -> None:
    chunks = ["Okay, the user", " wants a haiku.</think>\n\nLeaves fall."]
    assert run(chunks, starts_in_think=True) == [
        ("reasoning", "Okay, the user"),
        ("reasoning", " wants a haiku."),
        ("final", "\n\nLeaves fall."),
    ]
    assert merged(run(chunks, starts_in_think=True)) == [
        ("reasoning", "Okay, the user wants a haiku."),
        ("final", "\n\nLeaves fall."),
    ]


def test_unfinished_think_block_stays_reasoning() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("<think>still going</thi") == [("reasoning", "still going")]
    assert splitter.finish() == [("reasoning", "</thi")]
    assert splitter.in_think


def test_nested_open_tag_is_reasoning_text() -> None:
    assert run(["<think>a<think>b</think>c"]) == [("reasoning", "a<think>b"), ("final", "c")]


def test_stray_close_tag_is_dropped() -> None:
    assert run(["a</think>b"]) == [("final", "ab")]


def test_several_blocks() -> None:
    assert run(["<think>1</think>A<think>2</think>B"]) == [
        ("reasoning", "1"),
        ("final", "A"),
        ("reasoning", "2"),
        ("final", "B"),
    ]


def test_empty_think_block_emits_nothing() -> None:
    assert run(["<think>\n\n</think>\n\nHi"]) == [("reasoning", "\n\n"), ("final", "\n\nHi")]
    assert run(["<think></think>Hi"]) == [("final", "Hi")]


# -- properties -----------------------------------------------------------------------------------

_ATOMS = [THINK_OPEN, THINK_CLOSE, "<", "/", "t", "h", "i", "n", "k", ">", "a", " ", "\n", "é"]
texts = st.lists(st.sampled_from(_ATOMS), max_size=40).map("".join)


def split_at(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    chunks, start = [], 0
    for point in points:
        chunks.append(text[start:point])
        start = point
    chunks.append(text[start:])
    return chunks


@given(texts, st.lists(st.integers(min_value=0, max_value=400), max_size=12), st.booleans())
def test_any_chunking_gives_the_same_pieces(
    text: str, cuts: list[int], starts_in_think: bool
) -> None:
    whole = merged(run([text], starts_in_think=starts_in_think))
    chunked = merged(run(split_at(text, cuts), starts_in_think=starts_in_think))
    assert chunked == whole
    assert all(piece for _, piece in whole)


def _free_of_tags(text: str) -> bool:
    return THINK_OPEN not in text and THINK_CLOSE not in text


answer_text = texts.filter(_free_of_tags)
reasoning_text = texts.filter(lambda t: THINK_CLOSE not in t)


@given(
    st.lists(st.tuples(answer_text, reasoning_text), max_size=5),
    answer_text,
    st.lists(st.integers(min_value=0, max_value=400), max_size=12),
)
def test_reasoning_never_reaches_the_answer(
    blocks: list[tuple[str, str]], tail: str, cuts: list[int]
) -> None:
    # The stream is answer, <think>reasoning</think>, answer, …; chunked arbitrarily, the final
    # channel must be exactly the answer parts and the reasoning channel exactly the rest.
    text = "".join(f"{answer}{THINK_OPEN}{thought}{THINK_CLOSE}" for answer, thought in blocks)
    text += tail
    pieces = run(split_at(text, cuts))
    assert joined(pieces, "final") == "".join(answer for answer, _ in blocks) + tail
    assert joined(pieces, "reasoning") == "".join(thought for _, thought in blocks)


@given(reasoning_text, answer_text, st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_reasoning_opened_by_the_prompt_never_reaches_the_answer(
    thought: str, answer: str, cuts: list[int]
) -> None:
    pieces = run(split_at(f"{thought}{THINK_CLOSE}{answer}", cuts), starts_in_think=True)
    assert joined(pieces, "final") == answer
    assert joined(pieces, "reasoning") == thought


@given(answer_text, st.lists(st.integers(min_value=0, max_value=400), max_size=12))
def test_at_most_seven_characters_are_held_back(text: str, cuts: list[int]) -> None:
    splitter = ThinkSplitter()
    fed = emitted = 0
    for chunk in split_at(text, cuts):
        fed += len(chunk)
        emitted += sum(len(piece) for _, piece in splitter.feed(chunk))
        assert fed - emitted <= len(THINK_CLOSE) - 1
    emitted += sum(len(piece) for _, piece in splitter.finish())
    assert emitted == fed
