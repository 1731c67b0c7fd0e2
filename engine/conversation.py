"""The conversation as the engine sees it: plain messages, independent of any prompt format.

Prompt formatters (``engine.harmony.render`` for gpt-oss, ``engine.templates`` for other GGUF
models) turn a list of :class:`ChatMessage` into the exact text the model receives.

Roles:
- ``system`` / ``developer``: instructions. For gpt-oss both become the ``# Instructions`` of the
  harmony developer message (the harmony system message is generated: identity, dates, effort).
- ``user``: a user turn.
- ``assistant``: an answer. ``reasoning`` holds that turn's chain of thought when it is known (it
  only ever lives inside the worker or in a file the user wrote); ``tool_calls`` the calls the
  assistant made in that turn.
- ``tool``: the result of a tool call; ``name`` is the tool's fully qualified name
  (e.g. ``functions.get_weather``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "developer", "user", "assistant", "tool"]
ROLES: tuple[Role, ...] = ("system", "developer", "user", "assistant", "tool")
Effort = Literal["low", "medium", "high"]
EFFORTS: tuple[Effort, ...] = ("low", "medium", "high")


@dataclass(frozen=True)
class ToolCall:
    """A call the assistant made: ``name`` fully qualified (``functions.x``), JSON arguments,
    and the harmony channel it was made on (gpt-oss calls function tools from ``commentary``,
    other namespaces' tools sometimes from ``analysis``)."""

    name: str
    arguments: str
    channel: str = "commentary"


@dataclass(frozen=True)
class ToolSpec:
    """A function tool offered to the model; ``parameters`` is a JSON schema object or None."""

    name: str
    description: str
    parameters: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = field(default_factory=tuple)
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.reasoning is not None:
            out["reasoning"] = self.reasoning
        if self.tool_calls:
            out["tool_calls"] = [
                {"name": c.name, "arguments": c.arguments}
                | ({} if c.channel == "commentary" else {"channel": c.channel})
                for c in self.tool_calls
            ]
        if self.name is not None:
            out["name"] = self.name
        return out


class ConversationError(ValueError):
    """A conversation file or object that cannot be used; the message says why."""


def message_from_json(obj: object, index: int = 0) -> ChatMessage:
    if not isinstance(obj, dict):
        raise ConversationError(f"message {index}: expected an object with 'role' and 'content'")
    role = obj.get("role")
    if role not in ROLES:
        raise ConversationError(
            f"message {index}: unknown role {role!r} (use one of {', '.join(ROLES)})"
        )
    content = obj.get("content", "")
    if not isinstance(content, str):
        raise ConversationError(f"message {index}: 'content' must be a string")
    reasoning = obj.get("reasoning")
    if reasoning is not None and not isinstance(reasoning, str):
        raise ConversationError(f"message {index}: 'reasoning' must be a string")
    calls: list[ToolCall] = []
    for call in obj.get("tool_calls") or []:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise ConversationError(f"message {index}: each tool call needs a 'name'")
        args = call.get("arguments", "{}")
        channel = call.get("channel", "commentary")
        if channel not in ("commentary", "analysis"):
            raise ConversationError(
                f"message {index}: a tool call's channel is commentary or analysis"
            )
        calls.append(
            ToolCall(call["name"], args if isinstance(args, str) else json.dumps(args), channel)
        )
    name = obj.get("name")
    if name is not None and not isinstance(name, str):
        raise ConversationError(f"message {index}: 'name' must be a string")
    return ChatMessage(role, content, reasoning, tuple(calls), name)  # type: ignore[arg-type]


def conversation_from_json(data: object) -> list[ChatMessage]:
    if not isinstance(data, list):
        raise ConversationError('a conversation is a JSON list of {"role", "content"} objects')
    return [message_from_json(m, i) for i, m in enumerate(data)]


def conversation_to_json(messages: Iterable[ChatMessage]) -> list[dict[str, Any]]:
    return [m.to_json() for m in messages]
