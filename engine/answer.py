"""An answer as the client sees it, built from a request's events, ready to store or export.

Its reasoning part holds only what crossed the pipe: statistics, filtered segments (with their
redactions and categories) and a filtered summary. That is all a store, an export or a copy
button can ever get.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import protocol as p


@dataclass
class AnswerRecord:
    req: int
    display: str = "hidden"
    text: list[str] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    tool_calls: list[dict[str, str]] = field(default_factory=list)
    done: p.Done | None = None
    error: str | None = None

    def feed(self, ev: p.Message) -> None:
        if getattr(ev, "req", None) != self.req:
            return
        if isinstance(ev, p.Text):
            self.text.append(ev.text)
        elif isinstance(ev, p.Reasoning) and ev.text is not None:
            self.segments.append(
                {
                    "text": ev.text,
                    "redactions": ev.redactions,
                    "categories": ev.categories,
                    "withheld": ev.withheld,
                }
            )
        elif isinstance(ev, p.ReasoningSummary):
            self.summary = {
                "text": ev.text,
                "redactions": ev.redactions,
                "categories": ev.categories,
                "error": ev.error,
            }
        elif isinstance(ev, p.ToolCallEvent):
            self.tool_calls.append({"name": ev.name, "arguments": ev.arguments})
        elif isinstance(ev, p.Done):
            self.done = ev
        elif isinstance(ev, p.Error):
            self.error = ev.message

    @property
    def content(self) -> str:
        return "".join(self.text)

    @property
    def complete(self) -> bool:
        return self.done is not None and self.done.finish_reason != "cancelled"

    def reasoning_json(self) -> dict[str, Any]:
        d = self.done
        return {
            "display": self.display,
            "tokens": d.reasoning_tokens if d else 0,
            "seconds": d.reasoning_seconds if d else 0.0,
            "effort": d.effort if d else None,
            "thinking": d.thinking if d else None,
            "segments": self.segments,
            "summary": self.summary,
        }

    def meta_json(self) -> dict[str, Any]:
        d = self.done
        if d is None:
            return {"error": self.error} if self.error else {}
        return {
            "finish_reason": d.finish_reason,
            "prompt_tokens": d.prompt_tokens,
            "completion_tokens": d.completion_tokens,
            "cached_tokens": d.cached_tokens,
            "ttft_ms": d.ttft_ms,
            "tokens_per_s": d.tokens_per_s,
            "tool_calls": self.tool_calls,
        }
