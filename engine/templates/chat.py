"""Prompts for GGUF chat models other than gpt-oss: their embedded Jinja chat template.

A GGUF file carries its chat template in ``tokenizer.chat_template``. :func:`render_chat` renders
it the way Hugging Face transformers does, so templates written for transformers produce the same
text here: ``messages`` as OpenAI-style dicts, ``add_generation_prompt``, ``bos_token``,
``eos_token``, ``tools`` (only when tools are offered), ``enable_thinking`` (only when chosen),
``raise_exception``, ``strftime_now``, a ``tojson`` filter that keeps non-ASCII text and does no
HTML escaping, the loop-control extension (``break``/``continue``), a no-op
``{% generation %}`` block, and ``trim_blocks``/``lstrip_blocks``.

How the conversation is handed to templates:

- ``developer`` messages are passed as ``system``: almost no template knows a developer role.
- An assistant turn's ``reasoning`` is not passed; templates drop earlier thinking anyway and raw
  chain of thought should leave the worker as rarely as possible.
- Assistant tool calls become ``{"id", "type": "function", "function": {"name", "arguments"}}``;
  ``arguments`` is a dict when it is a JSON object, else the original string. Tool results carry
  ``name`` and ``tool_call_id``. Names lose the harmony ``functions.`` prefix so they match the
  tool list. Ids are ``call00001``, ``call00002``… in conversation order: stable from turn to turn
  (the unchanged prefix keeps its KV cache) and nine alphanumerics, as Mistral templates demand.

Templates run in the sandbox of :mod:`engine.templates.sandbox`, under :class:`RenderLimits`.

Models without a chat template (the bundled Gemma 3 270M base model) get :func:`render_plain`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import TemplateSyntaxError

from engine.conversation import ChatMessage, ToolSpec
from engine.templates.errors import TemplateError, TemplateLimitError, TemplateRaisedError
from engine.templates.plain import _bare_tool_name, render_plain
from engine.templates.sandbox import (
    _ACTIVE_BUDGET,
    DEFAULT_LIMITS,
    RenderLimits,
    _Budget,
    _compile,
)


@dataclass(frozen=True)
class TemplateModel:
    """What rendering needs from a GGUF: ``tokenizer.chat_template`` and the bos/eos texts."""

    chat_template: str | None
    bos_token: str
    eos_token: str
    name: str = ""


# -- what templates see ---------------------------------------------------------------------------


def _call_arguments(arguments: str) -> Any:
    # Templates either print arguments as they are (when a string) or pass them through tojson;
    # handing over the parsed object makes both work, and ``tojson`` of the original string would
    # double-encode it.
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return arguments
    return parsed if isinstance(parsed, dict) else arguments


def _template_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    issued = 0
    pending: list[tuple[str, str]] = []  # (id, bare name) of calls still awaiting their result
    for message in messages:
        role = "system" if message.role == "developer" else message.role
        item: dict[str, Any] = {"role": role, "content": message.content}
        if message.role == "assistant":
            pending = []
            if message.tool_calls:
                calls: list[dict[str, Any]] = []
                for call in message.tool_calls:
                    issued += 1
                    call_id = f"call{issued % 100_000:05d}"
                    name = _bare_tool_name(call.name)
                    pending.append((call_id, name))
                    calls.append(
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {
                                "name": name,
                                "arguments": _call_arguments(call.arguments),
                            },
                        }
                    )
                item["tool_calls"] = calls
        elif message.role == "tool":
            result_name = _bare_tool_name(message.name) if message.name else None
            if result_name is not None:
                item["name"] = result_name
            # A result answers the first open call of the same name, else the first open call.
            match = next(
                (p for p in pending if p[1] == result_name), pending[0] if pending else None
            )
            if match is not None:
                pending.remove(match)
                item["tool_call_id"] = match[0]
        out.append(item)
    return out


def _template_tools(tools: Sequence[ToolSpec]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tool in tools:
        # Plain JSON copies: tojson must be able to serialise them, and some templates walk
        # ``parameters.properties`` without checking that it exists.
        if tool.parameters is None:
            parameters: Any = {"type": "object", "properties": {}}
        else:
            try:
                parameters = json.loads(json.dumps(tool.parameters))
            except (TypeError, ValueError) as exc:
                raise TemplateError(f"tool {tool.name!r}: parameters are not JSON: {exc}") from exc
        out.append(
            {
                "type": "function",
                "function": {
                    "name": _bare_tool_name(tool.name),
                    "description": tool.description,
                    "parameters": parameters,
                },
            }
        )
    return out


# -- rendering ------------------------------------------------------------------------------------


def _where(model: TemplateModel) -> str:
    return f"the chat template of {model.name}" if model.name else "the model's chat template"


def render_chat(
    model: TemplateModel,
    messages: Sequence[ChatMessage],
    *,
    add_generation_prompt: bool = True,
    enable_thinking: bool | None = None,
    tools: Sequence[ToolSpec] = (),
    limits: RenderLimits = DEFAULT_LIMITS,
) -> str:
    """Render ``messages`` into the prompt text with the model's chat template.

    Without a template (``None`` or blank) the conversation becomes a :func:`render_plain`
    transcript, which has no tool support. ``enable_thinking`` is passed only when not None and
    ``tools`` only when some are given, since templates test ``is defined``. The text usually
    starts with ``bos_token``: tokenize it with special tokens parsed and no extra BOS.

    Raises :class:`TemplateRaisedError` when the template rejects the conversation (e.g. Gemma's
    "System role not supported"), :class:`TemplateLimitError` when it exceeds ``limits``, and
    :class:`TemplateError` for any other failure (syntax, undefined values, sandbox refusals).
    """
    source = model.chat_template
    if source is None or not source.strip():
        return render_plain(
            messages, bos_token=model.bos_token, add_generation_prompt=add_generation_prompt
        )
    where = _where(model)
    if len(source) > limits.max_template_chars:
        raise TemplateLimitError(
            f"{where} has {len(source)} characters (limit {limits.max_template_chars})"
        )
    context: dict[str, Any] = {
        "messages": _template_messages(messages),
        "add_generation_prompt": add_generation_prompt,
        "bos_token": model.bos_token,
        "eos_token": model.eos_token,
    }
    if tools:
        context["tools"] = _template_tools(tools)
    if enable_thinking is not None:
        context["enable_thinking"] = enable_thinking

    budget = _Budget(limits)
    token = _ACTIVE_BUDGET.set(budget)
    try:
        template = _compile(source)
        pieces: list[str] = []
        size = 0
        for piece in template.generate(**context):
            size += len(piece)
            if size > limits.max_output_chars:
                raise TemplateLimitError(
                    f"the prompt would exceed {limits.max_output_chars} characters"
                )
            pieces.append(piece)
        return "".join(pieces)
    except TemplateRaisedError as exc:
        raise TemplateRaisedError(f"{where} refused this conversation: {exc}") from exc
    except TemplateLimitError as exc:
        raise TemplateLimitError(f"{where} exceeded a render limit: {exc}") from exc
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{where} is not valid Jinja (line {exc.lineno}): {exc}") from exc
    except RecursionError as exc:
        raise TemplateError(f"{where} nests or recurses too deeply") from exc
    except MemoryError as exc:
        raise TemplateLimitError(f"{where} ran out of memory while rendering") from exc
    except Exception as exc:
        raise TemplateError(f"{where} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        _ACTIVE_BUDGET.reset(token)
