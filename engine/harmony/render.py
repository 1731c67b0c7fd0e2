"""Render a conversation as a harmony prompt for gpt-oss, offline.

The output matches openai-harmony 0.0.8's ``render_conversation_for_completion`` (default
config) byte for byte: gpt-oss was trained on that exact layout, and small deviations (a missing
blank line, a different tool signature) measurably change its behaviour.

Mapping from :class:`~engine.conversation.ChatMessage`:

- the harmony system message is generated from :class:`HarmonyOptions` (identity, knowledge
  cutoff, date, reasoning effort, channels);
- every ``system`` and ``developer`` message, wherever it appears, joins the ``# Instructions`` of
  one developer message placed right after the system message, together with the function tools;
- ``assistant`` messages become up to three kinds of harmony messages, in this order: the
  reasoning on ``analysis``, one ``commentary`` message per tool call, the answer on ``final``;
- ``tool`` messages are tool results addressed back to the assistant.

Tool names may be given bare (``get_weather``) or qualified (``functions.get_weather``); the
declaration uses the bare name and calls and results the qualified one, as gpt-oss expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from engine.conversation import ChatMessage, ConversationError, Effort, ToolSpec
from engine.harmony import tokens
from engine.harmony.tools import (
    FUNCTIONS_NAMESPACE,
    namespace_of,
    qualified_name,
    render_tools_section,
)

DEFAULT_IDENTITY: Final = "You are ChatGPT, a large language model trained by OpenAI."
DEFAULT_KNOWLEDGE_CUTOFF: Final = "2024-06"
VALID_CHANNELS: Final = ("analysis", "commentary", "final")

# How tool calls declare their arguments: a constrained JSON content type.
_JSON_CONTENT_TYPE: Final = tokens.CONSTRAIN_TEXT + "json"


@dataclass(frozen=True)
class HarmonyOptions:
    effort: Effort = "medium"
    date: str | None = None  # "YYYY-MM-DD"; None omits the "Current date" line
    model_identity: str = DEFAULT_IDENTITY
    knowledge_cutoff: str = DEFAULT_KNOWLEDGE_CUTOFF
    tools: tuple[ToolSpec, ...] = ()


@dataclass(frozen=True)
class PromptPiece:
    """A run of prompt text; ``special`` pieces are exactly one special token.

    Tokenizing the ordinary pieces with special-token parsing switched off keeps text written by
    users or tools (which may contain e.g. ``<|end|>``) from turning into control tokens.
    """

    text: str
    special: bool = False


@dataclass(frozen=True)
class _Message:
    """One harmony message: a header (author, recipient, channel, content type) and content."""

    role: str
    content: str
    author: str | None = None  # what the header names; defaults to the role
    channel: str | None = None
    recipient: str | None = None
    content_type: str | None = None


def render_for_completion(messages: Sequence[ChatMessage], options: HarmonyOptions) -> str:
    """The prompt text, ending with ``<|start|>assistant`` so the model writes the next turn.

    Special tokens appear in their text form; tokenize with special tokens parsed (or use
    :func:`render_pieces_for_completion` to keep message text from being parsed as specials).
    """
    return "".join(piece.text for piece in render_pieces_for_completion(messages, options))


def render_pieces_for_completion(
    messages: Sequence[ChatMessage], options: HarmonyOptions
) -> list[PromptPiece]:
    """The same prompt as :func:`render_for_completion`, split into text and special tokens."""
    pieces: list[PromptPiece] = []
    for message in _drop_superseded_analysis(_to_harmony_messages(messages, options)):
        pieces.extend(_message_pieces(message))
    pieces.append(PromptPiece(tokens.START_TEXT, special=True))
    pieces.append(PromptPiece("assistant"))
    return pieces


def _to_harmony_messages(
    messages: Sequence[ChatMessage], options: HarmonyOptions
) -> list[_Message]:
    out = [_Message("system", system_message_text(options))]
    instructions = [m.content for m in messages if m.role in ("system", "developer") and m.content]
    developer = developer_message_text("\n\n".join(instructions) or None, options.tools)
    if developer:
        out.append(_Message("developer", developer))
    # A tool's result goes back on the channel its call came on (commentary for function
    # tools; gpt-oss may call other namespaces from analysis).
    call_channels: dict[str, str] = {}
    for message in messages:
        if message.role == "user":
            out.append(_Message("user", message.content))
        elif message.role == "assistant":
            out.extend(_assistant_messages(message))
            call_channels.update((qualified_name(c.name), c.channel) for c in message.tool_calls)
        elif message.role == "tool":
            if not message.name:
                raise ConversationError("a tool result needs the tool's name (e.g. functions.x)")
            author = qualified_name(message.name)
            out.append(
                _Message(
                    "tool",
                    message.content,
                    author=author,
                    channel=call_channels.get(author, "commentary"),
                    recipient="assistant",
                )
            )
    return out


def system_message_text(options: HarmonyOptions) -> str:
    identity = [options.model_identity, f"Knowledge cutoff: {options.knowledge_cutoff}"]
    if options.date is not None:
        identity.append(f"Current date: {options.date}")
    channels = (
        f"# Valid channels: {', '.join(VALID_CHANNELS)}. "
        "Channel must be included for every message."
    )
    # Only function tools get this line; tools of other namespaces are declared without it,
    # as the reference does.
    if any(namespace_of(t.name) == FUNCTIONS_NAMESPACE for t in options.tools):
        channels += "\nCalls to these tools must go to the commentary channel: 'functions'."
    return "\n\n".join(["\n".join(identity), f"Reasoning: {options.effort}", channels])


def developer_message_text(instructions: str | None, tools: Sequence[ToolSpec]) -> str:
    """The developer message's content, or "" when there is nothing to say (no message then)."""
    sections: list[str] = []
    if instructions is not None:
        sections += ["# Instructions", instructions]
    if tools:
        sections.append(render_tools_section(tools))
    return "\n\n".join(sections)


def _assistant_messages(message: ChatMessage) -> list[_Message]:
    out: list[_Message] = []
    if message.reasoning:
        out.append(_Message("assistant", message.reasoning, channel="analysis"))
    for call in message.tool_calls:
        out.append(
            _Message(
                "assistant",
                call.arguments,
                channel=call.channel,
                recipient=qualified_name(call.name),
                content_type=_JSON_CONTENT_TYPE,
            )
        )
    if message.content:
        out.append(_Message("assistant", message.content, channel="final"))
    return out


def _drop_superseded_analysis(messages: list[_Message]) -> list[_Message]:
    """Drop chain of thought the model no longer needs, exactly as the reference does.

    Only when the latest assistant message is a final answer; then analysis messages before the
    *first* final message of the conversation go. Analysis after it stays, and so does all
    analysis while a tool-call chain is in progress (the latest assistant message is a call).
    """
    last_assistant = next((m for m in reversed(messages) if m.role == "assistant"), None)
    if last_assistant is None or last_assistant.channel != "final":
        return messages
    first_final = next((i for i, m in enumerate(messages) if m.channel == "final"), None)
    if first_final is None:
        return messages
    return [m for i, m in enumerate(messages) if not (i < first_final and m.channel == "analysis")]


def _message_pieces(message: _Message) -> list[PromptPiece]:
    # Header parts stay separate pieces, as the reference tokenizes each on its own; merging
    # them could, for unusual names, let the tokenizer join characters across a boundary.
    pieces = [PromptPiece(tokens.START_TEXT, special=True)]
    pieces.append(PromptPiece(message.author or message.role))
    if message.recipient is not None:
        pieces.append(PromptPiece(f" to={message.recipient}"))
    if message.channel is not None:
        pieces.append(PromptPiece(tokens.CHANNEL_TEXT, special=True))
        pieces.append(PromptPiece(message.channel))
    if message.content_type is not None:
        pieces.extend(_content_type_pieces(message.content_type))
    pieces.append(PromptPiece(tokens.MESSAGE_TEXT, special=True))
    if message.content:
        pieces.append(PromptPiece(message.content))
    calls_tool = message.role == "assistant" and message.recipient is not None
    pieces.append(PromptPiece(tokens.CALL_TEXT if calls_tool else tokens.END_TEXT, special=True))
    return pieces


def _content_type_pieces(content_type: str) -> list[PromptPiece]:
    if not content_type.startswith(tokens.CONSTRAIN_TEXT):
        return [PromptPiece(f" {content_type}")]
    pieces = [PromptPiece(" "), PromptPiece(tokens.CONSTRAIN_TEXT, special=True)]
    rest = content_type.removeprefix(tokens.CONSTRAIN_TEXT)
    if rest:
        pieces.append(PromptPiece(rest))
    return pieces
