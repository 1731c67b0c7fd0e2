"""What a chat template tells about the model: a thinking switch, ``<think>`` tags."""

from __future__ import annotations

import re

from jinja2 import meta

from engine.templates.sandbox import _ENVIRONMENT
from engine.think import THINK_CLOSE, THINK_OPEN

_ENABLE_THINKING = re.compile(r"\benable_thinking\b")


def template_thinking_switch(chat_template: str | None) -> bool:
    """True when the template reads an ``enable_thinking`` variable (Qwen3 style).

    Such models can be asked to think or not, and the UI offers reasoning on/off for them. That is
    all the control there is: models without the switch have no effort control (low/medium/high
    is a gpt-oss feature), they think or not as they were trained. A template that sets the
    variable itself does not count; one Jinja cannot parse is judged by whether it names it.
    """
    if not chat_template:
        return False
    try:
        tree = _ENVIRONMENT.parse(chat_template)
    except Exception:
        return _ENABLE_THINKING.search(chat_template) is not None
    return "enable_thinking" in meta.find_undeclared_variables(tree)


def emits_think_tags(chat_template: str | None) -> bool:
    """True when the template mentions ``<think>`` (or ``</think>``, which R1-style templates
    split earlier answers on): the model writes its reasoning between those tags, and its output
    goes through ``engine.think.ThinkSplitter``."""
    if not chat_template:
        return False
    return THINK_OPEN in chat_template or THINK_CLOSE in chat_template


def generation_opens_think(prompt: str) -> bool:
    """True when a rendered prompt ends inside an open ``<think>`` block (QwQ/DeepSeek-R1 style
    generation prompts), so the reply starts as reasoning: ``ThinkSplitter(starts_in_think=…)``."""
    return prompt.rstrip().endswith(THINK_OPEN)
