"""Choose the prompt format for a model and render a conversation in it.

- ``harmony``: gpt-oss (architecture ``gpt-oss``). Rendered by our own harmony renderer, with
  reasoning effort in the system message.
- ``template``: any other GGUF with an embedded chat template (sandboxed Jinja).
- ``plain``: a model with no chat template, such as the bundled Gemma 3 270M base model: a
  plain "User: / Assistant:" transcript (see :func:`engine.templates.render_plain`), whose
  answer ends where the model starts the next "User:" line.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from engine.backends.base import ModelFacts, SamplingParams
from engine.conversation import ChatMessage, Effort, ToolSpec
from engine.gguf_header import GGUFHeader
from engine.harmony.render import HarmonyOptions, render_for_completion
from engine.templates import (
    PLAIN_STOP_STRINGS,
    TemplateModel,
    emits_think_tags,
    generation_opens_think,
    render_chat,
    template_thinking_switch,
)

PromptFormat = Literal["harmony", "template", "plain"]
HARMONY_ARCHITECTURES = frozenset({"gpt-oss"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PromptPlan:
    format: PromptFormat
    text: str
    add_bos: bool
    think_tags: bool
    starts_in_think: bool
    stop_strings: tuple[str, ...]
    # The template's enable_thinking value, when it has that switch.
    thinking: bool | None = None


def prompt_format(facts: ModelFacts) -> PromptFormat:
    if facts.architecture in HARMONY_ARCHITECTURES:
        return "harmony"
    return "template" if facts.chat_template else "plain"


def supports_effort(facts: ModelFacts) -> bool:
    """Only harmony models have low/medium/high; template switches are on/off (see templates)."""
    return prompt_format(facts) == "harmony"


def thinking_switch(facts: ModelFacts) -> bool:
    return prompt_format(facts) == "template" and template_thinking_switch(facts.chat_template)


def thinking_for(facts: ModelFacts, effort: Effort) -> bool | None:
    """How the effort setting maps onto a template's ``enable_thinking`` switch.

    Such a switch is on/off, so "low" turns thinking off (the cheapest answer) and "medium" and
    "high" turn it on. ``None`` for models without the switch: nothing is passed to the template.
    """
    if not thinking_switch(facts):
        return None
    return effort != "low"


def facts_from_header(header: GGUFHeader) -> ModelFacts:
    """Model facts read from the file alone, for rendering prompts without loading weights."""
    add_bos = header.metadata.get("tokenizer.ggml.add_bos_token")
    return ModelFacts(
        name=header.name,
        architecture=header.architecture,
        n_ctx=header.context_length,
        n_ctx_train=header.context_length,
        chat_template=header.chat_template,
        bos_text=header.token_text("tokenizer.ggml.bos_token_id"),
        eos_text=header.token_text("tokenizer.ggml.eos_token_id"),
        add_bos=bool(add_bos) if add_bos is not None else True,
    )


def today() -> str:
    return _dt.date.today().isoformat()


def is_date(text: str) -> bool:
    """A real ``YYYY-MM-DD`` date, the only form the harmony system message takes (a month 13
    would reach the model as it stands)."""
    if _DATE.fullmatch(text) is None:
        return False
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def build_prompt(
    facts: ModelFacts,
    messages: Sequence[ChatMessage],
    *,
    effort: Effort = "medium",
    tools: Sequence[ToolSpec] = (),
    date: str | None = None,
    thinking: bool | None = None,
) -> PromptPlan:
    """Render ``messages`` for ``facts``' model. ``thinking`` overrides the template switch that
    ``effort`` would otherwise choose (see :func:`thinking_for`)."""
    fmt = prompt_format(facts)
    if fmt == "harmony":
        options = HarmonyOptions(effort=effort, date=date or today(), tools=tuple(tools))
        text = render_for_completion(messages, options)
        # gpt-oss has no BOS; the render is complete as it is.
        return PromptPlan("harmony", text, False, False, False, ())
    model = TemplateModel(facts.chat_template, facts.bos_text, facts.eos_text, facts.name)
    if thinking is None:
        thinking = thinking_for(facts, effort)
    elif not thinking_switch(facts):
        thinking = None
    text = render_chat(model, messages, tools=tools, enable_thinking=thinking)
    # Templates usually write the BOS text themselves; adding another would double it.
    add_bos = facts.add_bos and not (facts.bos_text and text.startswith(facts.bos_text))
    if fmt == "plain":
        return PromptPlan("plain", text, add_bos, False, False, tuple(PLAIN_STOP_STRINGS))
    think = emits_think_tags(facts.chat_template)
    opens = think and generation_opens_think(text)
    return PromptPlan("template", text, add_bos, think, opens, (), thinking)


def default_sampling(
    fmt: PromptFormat,
    *,
    temperature: float | None = None,
    top_p: float | None = None,
    top_k: int | None = None,
    min_p: float | None = None,
    seed: int | None = None,
) -> SamplingParams:
    """Explicit sampling for every call; ``None`` means the format's recommended value.

    gpt-oss is meant to be sampled at temperature 1.0 and top_p 1.0 with no top-k or min-p
    truncation. Other models get llama.cpp's usual chat defaults.
    """
    if fmt == "harmony":
        base = SamplingParams(temperature=1.0, top_p=1.0, top_k=0, min_p=0.0)
    else:
        base = SamplingParams(temperature=0.8, top_p=0.95, top_k=40, min_p=0.05)
    return SamplingParams(
        temperature=base.temperature if temperature is None else temperature,
        top_p=base.top_p if top_p is None else top_p,
        top_k=base.top_k if top_k is None else top_k,
        min_p=base.min_p if min_p is None else min_p,
        seed=seed,
    )
