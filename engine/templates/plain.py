"""The plain "User: / Assistant:" transcript, for models without a chat template."""

from __future__ import annotations

from collections.abc import Sequence

from engine.conversation import ChatMessage

_TOOL_PREFIX = "functions."


def _bare_tool_name(name: str) -> str:
    return name.removeprefix(_TOOL_PREFIX)


_USER = "User"
_ASSISTANT = "Assistant"
_SYSTEM = "System"
_TOOL_CALL = "Tool call"
_TOOL_RESULT = "Tool result"

PLAIN_STOP_STRINGS: tuple[str, ...] = (
    f"\n{_USER}:",
    f"\n{_ASSISTANT}:",
    f"\n{_SYSTEM}:",
    f"\n{_TOOL_CALL}:",
    f"\n{_TOOL_RESULT}",
)
"""Where a plain-transcript reply ends: the model starting the next line of the transcript."""


def _plain_line(label: str, content: str) -> str:
    text = content.strip()
    return f"{label}: {text}\n" if text else f"{label}:\n"


def render_plain(
    messages: Sequence[ChatMessage], *, bos_token: str, add_generation_prompt: bool = True
) -> str:
    """Render a conversation as a plain transcript, for models without a chat template.

    The format::

        {bos_token}{instructions}

        User: Hi
        Assistant: Hello!
        User: Name a colour.
        Assistant:

    The leading system/developer messages form the instructions paragraph (separated by blank
    lines; omitted, with its blank line, when there are none). Then one line per message,
    contents stripped of surrounding whitespace: ``User:``, ``Assistant:``, later instructions as
    ``System:``, each tool call as ``Tool call: name(arguments)``, each tool result as
    ``Tool result (name): …``. The generation prompt is ``Assistant:`` without a trailing space
    (a trailing space tokenizes badly), so the reply usually begins with a space the caller
    strips; it ends where the model starts another line of the transcript, i.e. at one of
    :data:`PLAIN_STOP_STRINGS`. The text starts with ``bos_token`` like rendered templates do,
    so every prompt is tokenized the same way (special tokens parsed, no extra BOS added).
    """
    parts = [bos_token]
    start = 0
    instructions: list[str] = []
    while start < len(messages) and messages[start].role in ("system", "developer"):
        text = messages[start].content.strip()
        if text:
            instructions.append(text)
        start += 1
    if instructions:
        parts.append("\n\n".join(instructions) + "\n\n")
    for message in messages[start:]:
        if message.role == "user":
            parts.append(_plain_line(_USER, message.content))
        elif message.role == "assistant":
            if message.content.strip() or not message.tool_calls:
                parts.append(_plain_line(_ASSISTANT, message.content))
            for call in message.tool_calls:
                parts.append(f"{_TOOL_CALL}: {_bare_tool_name(call.name)}({call.arguments})\n")
        elif message.role == "tool":
            label = _TOOL_RESULT
            if message.name:
                label += f" ({_bare_tool_name(message.name)})"
            parts.append(_plain_line(label, message.content))
        else:
            parts.append(_plain_line(_SYSTEM, message.content))
    if add_generation_prompt:
        parts.append(f"{_ASSISTANT}:")
    return "".join(parts)
