"""Turn a model's token stream into what the user may see.

One router per prompt format. Each takes token ids with their bytes and returns
:class:`Routed` items: ``final`` text (the answer), ``reasoning`` (counted, never forwarded raw:
the worker turns it into statistics, or into filtered text once a filter exists) and
``tool_call``. Each router also decides when generation stops.

The rule all of them keep: text is only ever ``final`` when the format says so for certain
(harmony's ``final`` channel; text outside ``<think>`` tags). Anything ambiguous is reasoning.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from engine.harmony import tokens as ht
from engine.harmony.parser import HarmonyDelta, HarmonyMessageEnd, HarmonyStreamParser
from engine.think import ThinkSplitter

RoutedKind = Literal["final", "reasoning", "tool_call"]


@dataclass(frozen=True)
class Routed:
    kind: RoutedKind
    text: str = ""
    name: str = ""  # tool name, for tool_call
    channel: str = ""  # the harmony channel a tool call came on


StopReason = Literal["stop", "tool_call"]
_THINK_TAGS = (b"<think>", b"</think>")


class Router(Protocol):
    stop: StopReason | None
    in_reasoning: bool

    def feed(self, token: int, piece: bytes) -> list[Routed]: ...

    def finish(self) -> list[Routed]: ...


class HarmonyRouter:
    """gpt-oss: channels decide. ``final`` is the answer; ``analysis`` is reasoning;
    ``commentary`` addressed to a tool is a tool call; a commentary preamble (no recipient) is
    text the model meant for the user, as in harmony's own guidance."""

    def __init__(self, is_eog: Callable[[int], bool]) -> None:
        self._parser = HarmonyStreamParser()
        self._is_eog = is_eog
        self.stop: StopReason | None = None
        self.in_reasoning = False

    def feed(self, token: int, piece: bytes) -> list[Routed]:
        out: list[Routed] = []
        for ev in self._parser.feed(token, piece):
            out.extend(self._route(ev))
        if token == ht.CALL:
            self.stop = "tool_call"
        elif token == ht.RETURN:
            self.stop = "stop"
        elif token != ht.END and self._is_eog(token):
            # <|end|> closes one message and the model goes on; other end-of-generation tokens
            # (<|endoftext|>…) end the turn.
            out.extend(self.finish())
            self.stop = "stop"
        return out

    def _route(self, ev: HarmonyDelta | HarmonyMessageEnd) -> list[Routed]:
        # A message addressed to a tool is a call, on commentary or (tools of namespaces other
        # than functions, like the built-in browser) on analysis.
        calls_tool = bool(ev.recipient) and ev.recipient != "assistant"
        if isinstance(ev, HarmonyDelta):
            if ev.channel == "final" or (ev.channel == "commentary" and ev.recipient is None):
                self.in_reasoning = False
                return [Routed("final", ev.text)] if ev.text else []
            if ev.channel == "commentary" or calls_tool:
                return []  # tool-call arguments arrive whole with the message end
            self.in_reasoning = True
            return [Routed("reasoning", ev.text)] if ev.text else []
        if calls_tool and ev.channel in ("commentary", "analysis"):
            assert ev.recipient is not None
            return [Routed("tool_call", ev.text, name=ev.recipient, channel=ev.channel or "")]
        return []

    def finish(self) -> list[Routed]:
        out: list[Routed] = []
        for ev in self._parser.finish():
            if isinstance(ev, HarmonyDelta):
                out.extend(self._route(ev))
        return out


class _Utf8:
    def __init__(self) -> None:
        self._dec = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> str:
        return self._dec.decode(data)

    def finish(self) -> str:
        return self._dec.decode(b"", final=True)


class TemplateRouter:
    """Models with a chat template (or the plain fallback): end-of-generation tokens stop,
    control tokens are dropped, ``<think>…</think>`` goes to reasoning, and the fallback's stop
    strings (a model starting the next "User:" line) end the answer."""

    def __init__(
        self,
        is_eog: Callable[[int], bool],
        is_control: Callable[[int], bool],
        *,
        think: bool = False,
        starts_in_think: bool = False,
        stop_strings: tuple[str, ...] = (),
    ) -> None:
        self._is_eog = is_eog
        self._is_control = is_control
        self._utf8 = _Utf8()
        self._think = ThinkSplitter(starts_in_think=starts_in_think) if think else None
        self._stops = stop_strings
        self._held = ""  # final text held back while it could be the start of a stop string
        self._started = False
        self.stop: StopReason | None = None
        self.in_reasoning = starts_in_think

    def feed(self, token: int, piece: bytes) -> list[Routed]:
        if self._is_eog(token):
            self.stop = "stop"
            return self.finish()
        if self._is_control(token) and not (self._think and piece.strip() in _THINK_TAGS):
            # Turn markers are structure. A model whose think tags are control tokens still
            # needs them split out, or its reasoning would read as the answer.
            return []
        return self._split(self._utf8.feed(piece))

    def _split(self, text: str) -> list[Routed]:
        if not text:
            return []
        parts = self._think.feed(text) if self._think else [("final", text)]
        out: list[Routed] = []
        for kind, chunk in parts:
            if kind == "reasoning":
                self.in_reasoning = True
                out.append(Routed("reasoning", chunk))
            else:
                self.in_reasoning = False
                out.extend(self._final(chunk))
            if self.stop:
                break
        return out

    def _final(self, text: str) -> list[Routed]:
        buf = self._held + text
        ready, self._held = buf, ""
        for stop in self._stops:
            at = buf.find(stop)
            if at >= 0:
                self.stop = "stop"
                return self._emit_final(buf[:at])
        # Hold back the longest tail that could still grow into a stop string.
        keep = 0
        for stop in self._stops:
            for n in range(min(len(stop) - 1, len(buf)), 0, -1):
                if buf.endswith(stop[:n]):
                    keep = max(keep, n)
                    break
        if keep:
            ready, self._held = buf[: len(buf) - keep], buf[len(buf) - keep :]
        return self._emit_final(ready)

    def _emit_final(self, text: str) -> list[Routed]:
        if not self._started:
            # Models often open an answer with the space or newline after "Assistant:".
            text = text.lstrip()
            self._started = bool(text)
        return [Routed("final", text)] if text else []

    def finish(self) -> list[Routed]:
        out = self._split(self._utf8.finish())
        if self._think:
            for kind, chunk in self._think.finish():
                if kind == "reasoning":
                    out.append(Routed("reasoning", chunk))
                elif not self.stop:
                    out.extend(self._final(chunk))
        held, self._held = self._held, ""
        if held and not self.stop:
            out.extend(self._emit_final(held))
        return out
