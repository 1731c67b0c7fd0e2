"""The exceptions :func:`engine.templates.render_chat` raises."""

from __future__ import annotations


class TemplateError(ValueError):
    """The chat template could not be rendered; the message says why."""


class TemplateRaisedError(TemplateError):
    """The template refused the conversation through ``raise_exception`` (e.g. a system role)."""


class TemplateLimitError(TemplateError):
    """The template exceeded a render limit (size, loop iterations or time)."""
