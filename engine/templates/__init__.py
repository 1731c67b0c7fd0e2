"""Prompts for GGUF chat models other than gpt-oss: their embedded Jinja chat template.

- :mod:`~engine.templates.chat`: :func:`render_chat`, which renders a model's chat template the
  way Hugging Face transformers does, and how a conversation is handed to templates.
- :mod:`~engine.templates.sandbox`: the sandboxed Jinja environment templates run in, and the
  :class:`RenderLimits` they run under.
- :mod:`~engine.templates.plain`: :func:`render_plain`, the transcript for models without one.
- :mod:`~engine.templates.switches`: what a template tells about the model (thinking switch,
  ``<think>`` tags).
- :mod:`~engine.templates.errors`: the exceptions rendering raises.
"""

from engine.templates.chat import TemplateModel, render_chat
from engine.templates.errors import TemplateError, TemplateLimitError, TemplateRaisedError
from engine.templates.plain import PLAIN_STOP_STRINGS, render_plain
from engine.templates.sandbox import DEFAULT_LIMITS, RenderLimits
from engine.templates.switches import (
    emits_think_tags,
    generation_opens_think,
    template_thinking_switch,
)

__all__ = [
    "DEFAULT_LIMITS",
    "PLAIN_STOP_STRINGS",
    "RenderLimits",
    "TemplateError",
    "TemplateLimitError",
    "TemplateModel",
    "TemplateRaisedError",
    "emits_think_tags",
    "generation_opens_think",
    "render_chat",
    "render_plain",
    "template_thinking_switch",
]
