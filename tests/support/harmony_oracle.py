"""openai-harmony as an offline test oracle for our harmony renderer.

The reference package downloads ``o200k_base.tiktoken`` on first use. Tests never touch the
network: the file is rebuilt from the vocabulary bundled in the MIT-licensed ``quicktok`` package
and checked against the hash the reference itself expects, so a wrong rebuild fails loudly
instead of producing a subtly different oracle.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine.conversation import ChatMessage
from engine.harmony.render import HarmonyOptions

O200K_BASE_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
VOCAB_FILE_NAME = "o200k_base.tiktoken"


def build_o200k_base_vocab() -> bytes:
    """The tiktoken vocabulary file of o200k_base: ``base64(token bytes) id`` per line."""
    import quicktok

    enc = quicktok.get_encoding("o200k_base")
    lines: list[bytes] = []
    for token in range(enc.n_vocab):
        if enc.is_special_token(token):
            continue
        try:
            data = enc.decode_single_token_bytes(token)
        except KeyError:
            # o200k_base leaves some ids unassigned (e.g. 199998); they have no line.
            continue
        lines.append(base64.b64encode(data) + b" " + str(token).encode("ascii") + b"\n")
    vocab = b"".join(lines)
    digest = hashlib.sha256(vocab).hexdigest()
    if digest != O200K_BASE_SHA256:
        raise RuntimeError(
            f"rebuilt {VOCAB_FILE_NAME} has sha256 {digest}, expected {O200K_BASE_SHA256}; "
            "the quicktok vocabulary differs from the one openai-harmony expects"
        )
    return vocab


@dataclass
class HarmonyOracle:
    """The reference encoding plus the mapping from our messages to its conversation objects."""

    encoding: Any  # openai_harmony.HarmonyEncoding (the package ships no type information)

    def render_tokens(self, messages: Sequence[ChatMessage], options: HarmonyOptions) -> list[int]:
        from openai_harmony import Role

        conversation = to_reference_conversation(messages, options)
        tokens: list[int] = self.encoding.render_conversation_for_completion(
            conversation, Role.ASSISTANT
        )
        return tokens

    def render_text(self, messages: Sequence[ChatMessage], options: HarmonyOptions) -> str:
        text: str = self.encoding.decode_utf8(self.render_tokens(messages, options))
        return text

    def encode_with_specials(self, text: str) -> list[int]:
        tokens: list[int] = self.encoding.encode(text, allowed_special="all")
        return tokens

    def encode_ordinary(self, text: str) -> list[int]:
        tokens: list[int] = self.encoding.encode(text, disallowed_special=())
        return tokens


def load_oracle(directory: Path, monkeypatch: pytest.MonkeyPatch) -> HarmonyOracle:
    """Write the vocabulary into ``directory`` and load the reference encoding from it."""
    from openai_harmony import HarmonyEncodingName, load_harmony_encoding

    (directory / VOCAB_FILE_NAME).write_bytes(build_o200k_base_vocab())
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(directory))
    return HarmonyOracle(load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS))


def to_reference_conversation(messages: Sequence[ChatMessage], options: HarmonyOptions) -> Any:
    """The openai-harmony conversation our renderer is meant to reproduce.

    This spells out the intended mapping with the reference's own building blocks: a generated
    system message, one developer message with every system/developer instruction and the
    function tools, and assistant turns split into analysis, tool calls and final answer.
    Function tools are declared by their bare name and addressed by their qualified one.
    """
    from openai_harmony import (
        Author,
        Conversation,
        DeveloperContent,
        Message,
        ReasoningEffort,
        Role,
        SystemContent,
        ToolDescription,
        ToolNamespaceConfig,
    )

    effort = {
        "low": ReasoningEffort.LOW,
        "medium": ReasoningEffort.MEDIUM,
        "high": ReasoningEffort.HIGH,
    }[options.effort]
    system = (
        SystemContent.new()
        .with_model_identity(options.model_identity)
        .with_knowledge_cutoff(options.knowledge_cutoff)
        .with_reasoning_effort(effort)
    )
    if options.date is not None:
        system = system.with_conversation_start_date(options.date)
    out = [Message.from_role_and_content(Role.SYSTEM, system)]

    instructions = [m.content for m in messages if m.role in ("system", "developer") and m.content]
    developer = DeveloperContent.new()
    if instructions:
        developer = developer.with_instructions("\n\n".join(instructions))
    # Tools named "ns.x" belong to namespace ns; bare names and "functions.x" are function tools.
    namespaces: dict[str, list[Any]] = {}
    for tool in options.tools:
        namespace, _, bare = tool.name.rpartition(".")
        namespaces.setdefault(namespace or "functions", []).append(
            ToolDescription.new(
                bare,
                tool.description,
                parameters=None if tool.parameters is None else dict(tool.parameters),
            )
        )
    for namespace, described in namespaces.items():
        if namespace == "functions":
            developer = developer.with_function_tools(described)
        else:
            developer = developer.with_tools(
                ToolNamespaceConfig(name=namespace, description=None, tools=described)
            )
    if instructions or options.tools:
        out.append(Message.from_role_and_content(Role.DEVELOPER, developer))

    call_channels: dict[str, str] = {}
    for message in messages:
        if message.role == "user":
            out.append(Message.from_role_and_content(Role.USER, message.content))
        elif message.role == "assistant":
            if message.reasoning:
                out.append(
                    Message.from_role_and_content(Role.ASSISTANT, message.reasoning).with_channel(
                        "analysis"
                    )
                )
            for call in message.tool_calls:
                call_channels[_qualified(call.name)] = call.channel
                out.append(
                    Message.from_role_and_content(Role.ASSISTANT, call.arguments)
                    .with_channel(call.channel)
                    .with_recipient(_qualified(call.name))
                    .with_content_type("<|constrain|>json")
                )
            if message.content:
                out.append(
                    Message.from_role_and_content(Role.ASSISTANT, message.content).with_channel(
                        "final"
                    )
                )
        elif message.role == "tool":
            assert message.name is not None
            author = Author.new(Role.TOOL, _qualified(message.name))
            out.append(
                Message.from_author_and_content(author, message.content)
                .with_channel(call_channels.get(_qualified(message.name), "commentary"))
                .with_recipient("assistant")
            )
    return Conversation.from_messages(out)


def _qualified(name: str) -> str:
    return name if "." in name else f"functions.{name}"
