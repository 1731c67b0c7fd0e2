"""Routers: what the user may see of a token stream, and when generation stops."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.harmony import tokens as ht
from engine.harmony.parser import HarmonyDelta, HarmonyStreamParser
from engine.routing import HarmonyRouter, Routed, TemplateRouter

ENDOFTEXT = 199999


def harmony_feed(items: list[int | str]) -> tuple[list[Routed], HarmonyRouter]:
    router = HarmonyRouter(is_eog=lambda t: t in (ht.RETURN, ht.CALL, ENDOFTEXT))
    out: list[Routed] = []
    for item in items:
        if isinstance(item, int):
            out += router.feed(item, ht.TEXT_OF[item].encode() if item in ht.TEXT_OF else b"")
        else:
            out += router.feed(1, item.encode())
        if router.stop:
            break
    out += router.finish()
    return out, router


def final_text(out: list[Routed]) -> str:
    return "".join(r.text for r in out if r.kind == "final")


def test_analysis_then_final() -> None:
    out, router = harmony_feed(
        [ht.CHANNEL, "analysis", ht.MESSAGE, "SECRET plan", ht.END, ht.START, "assistant",
         ht.CHANNEL, "final", ht.MESSAGE, "Hello", " world", ht.RETURN]
    )  # fmt: skip
    assert final_text(out) == "Hello world"
    assert "SECRET" in "".join(r.text for r in out if r.kind == "reasoning")
    assert router.stop == "stop"


def test_tool_call_ends_generation_with_arguments() -> None:
    out, router = harmony_feed(
        [ht.CHANNEL, "commentary to=functions.get_weather ", ht.CONSTRAIN, "json", ht.MESSAGE,
         '{"city":', '"Lisbon"}', ht.CALL]
    )  # fmt: skip
    calls = [r for r in out if r.kind == "tool_call"]
    assert calls == [
        Routed("tool_call", '{"city":"Lisbon"}', name="functions.get_weather", channel="commentary")
    ]
    assert final_text(out) == ""
    assert router.stop == "tool_call"


def test_tool_call_from_analysis_is_a_call_not_reasoning() -> None:
    # gpt-oss calls tools of namespaces other than functions (browser, documents) from analysis.
    out, router = harmony_feed(
        [ht.CHANNEL, "analysis", ht.MESSAGE, "Let me look it up.", ht.END,
         ht.START, "assistant to=documents.search", ht.CHANNEL, "analysis ", ht.CONSTRAIN, "json",
         ht.MESSAGE, '{"query":', '"refund policy"}', ht.CALL]
    )  # fmt: skip
    calls = [r for r in out if r.kind == "tool_call"]
    assert calls == [
        Routed(
            "tool_call", '{"query":"refund policy"}', name="documents.search", channel="analysis"
        )
    ]
    reasoning = "".join(r.text for r in out if r.kind == "reasoning")
    assert reasoning == "Let me look it up."
    assert router.stop == "tool_call"


def test_commentary_preamble_is_shown() -> None:
    out, _ = harmony_feed([ht.CHANNEL, "commentary", ht.MESSAGE, "Let me check.", ht.END])
    assert final_text(out) == "Let me check."


def test_end_closes_a_message_but_endoftext_stops() -> None:
    _, router = harmony_feed([ht.CHANNEL, "analysis", ht.MESSAGE, "x", ht.END])
    assert router.stop is None
    _, router = harmony_feed([ht.CHANNEL, "final", ht.MESSAGE, "x", ENDOFTEXT])
    assert router.stop == "stop"


def test_missing_channel_is_never_final() -> None:
    out, _ = harmony_feed([ht.MESSAGE, "no channel given", ht.END])
    assert final_text(out) == ""
    assert [r.kind for r in out] == ["reasoning"]


TOKENS = st.one_of(
    st.sampled_from([ht.START, ht.END, ht.MESSAGE, ht.CHANNEL, ht.CONSTRAIN, ht.RETURN, ht.CALL]),
    st.sampled_from(["analysis", "final", "commentary", "assistant", " to=functions.f", "MARK",
                     "a", " ", "é", "json"]),
)  # fmt: skip


def _visible(ev: object) -> bool:
    return isinstance(ev, HarmonyDelta) and (
        ev.channel == "final" or (ev.channel == "commentary" and ev.recipient is None)
    )


@given(st.lists(TOKENS, max_size=60))
def test_only_final_and_preamble_text_is_shown(items: list[int | str]) -> None:
    # Cross-check against the parser's own labels on the same stream: the answer is exactly the
    # text of `final` messages and recipient-less commentary, nothing else.
    out, _ = harmony_feed(items)
    parser = HarmonyStreamParser()
    shown: list[str] = []
    for item in items:
        if isinstance(item, int):
            events = parser.feed(item, ht.TEXT_OF[item].encode() if item in ht.TEXT_OF else b"")
        else:
            events = parser.feed(1, item.encode())
        shown += [ev.text for ev in events if _visible(ev)]
        if item in (ht.RETURN, ht.CALL, ENDOFTEXT):
            break
    shown += [ev.text for ev in parser.finish() if _visible(ev)]
    assert final_text(out) == "".join(shown)


def template_feed(pieces: list[str], **kw: object) -> tuple[list[Routed], TemplateRouter]:
    router = TemplateRouter(
        is_eog=lambda t: t == 0,
        is_control=lambda t: t == 9,
        **kw,  # type: ignore[arg-type]
    )
    out: list[Routed] = []
    for piece in pieces:
        if piece == "<EOG>":
            out += router.feed(0, b"")
        elif piece == "<CTRL>":
            out += router.feed(9, b"<|im_start|>")
        else:
            out += router.feed(1, piece.encode())
        if router.stop:
            break
    if not router.stop:
        out += router.finish()
    return out, router


def test_plain_stop_string_split_across_tokens() -> None:
    out, router = template_feed(
        [" Paris", " is", " nice.", "\nU", "ser", ": next"], stop_strings=("\nUser:",)
    )
    assert final_text(out) == "Paris is nice."
    assert router.stop == "stop"


def test_partial_stop_string_is_released_at_the_end() -> None:
    out, router = template_feed(["Hi", "\nUs"], stop_strings=("\nUser:",))
    assert final_text(out) == "Hi\nUs"
    assert router.stop is None


def test_think_tags_go_to_reasoning_and_control_tokens_vanish() -> None:
    out, _ = template_feed(
        ["<th", "ink>hidden", "</think>", "<CTRL>", "\n\nAnswer", "<EOG>"], think=True
    )
    assert final_text(out) == "Answer"
    assert "hidden" in "".join(r.text for r in out if r.kind == "reasoning")


def test_prompt_that_opens_think_starts_in_reasoning() -> None:
    out, _ = template_feed(["secret", "</think>", "ok"], think=True, starts_in_think=True)
    assert final_text(out) == "ok"
    assert "secret" not in final_text(out)


def test_split_utf8_is_decoded() -> None:
    router = TemplateRouter(is_eog=lambda t: False, is_control=lambda t: False)
    data = "ação".encode()
    out = router.feed(1, data[:2]) + router.feed(1, data[2:]) + router.finish()
    assert final_text(out) == "ação"


def test_reply_that_starts_with_a_stop_string_is_empty() -> None:
    out, router = template_feed(["\n", "User", ": tell me more"], stop_strings=("\nUser:",))
    assert final_text(out) == ""
    assert router.stop == "stop"


def test_think_tags_typed_as_control_tokens_still_split() -> None:
    router = TemplateRouter(is_eog=lambda t: False, is_control=lambda t: t == 7, think=True)
    out = router.feed(7, b"<think>") + router.feed(1, b"secret plan")
    out += router.feed(7, b"</think>") + router.feed(1, b" answer") + router.finish()
    assert final_text(out) == "answer"
    assert "secret" not in final_text(out)
