"""``documents.search``: the tool gpt-oss gets when attached documents are too long to read whole.

It is declared in its own harmony namespace, ``documents``, the way gpt-oss's built-in browser
tool is (``browser.search``). The worker runs each call against the conversation's documents
and answers in the channel the call came on; the model then goes on, possibly searching again,
until it writes its final answer (see ``engine.documents.session``).
"""

from __future__ import annotations

import json
from typing import Final

from engine.conversation import ToolSpec
from engine.documents.index import Hit
from engine.documents.prompt_text import hits_text

TOOL_NAME: Final = "documents.search"
DEFAULT_K: Final = 5
MAX_K: Final = 10
# Searches one answer may make before the model is told to answer with what it has.
MAX_CALLS: Final = 4

SEARCH_TOOL = ToolSpec(
    TOOL_NAME,
    "Search the documents the user attached. Returns the best-matching passages, each with "
    "its file name and page or section, to cite in the answer.",
    {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "description": "Words or a question to look for in the documents",
            },
            "k": {"type": "integer", "description": "How many passages", "default": DEFAULT_K},
        },
        "required": ["query"],
    },
)


class ToolArgumentsError(ValueError):
    """Arguments the model wrote that cannot be used; the message goes back to it."""


def parse_arguments(arguments: str) -> tuple[str, int]:
    """The query and the number of passages a call asks for."""
    try:
        obj = json.loads(arguments) if arguments.strip() else {}
    except json.JSONDecodeError:
        # A model sometimes writes the bare query instead of a JSON object.
        obj = {"query": arguments.strip()}
    if isinstance(obj, str):
        obj = {"query": obj}
    if not isinstance(obj, dict):
        raise ToolArgumentsError('expected {"query": "..."}')
    query = obj.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ToolArgumentsError('"query" must be a non-empty string')
    k = obj.get("k", DEFAULT_K)
    if not isinstance(k, int) or isinstance(k, bool):
        k = DEFAULT_K
    return query.strip(), max(1, min(k, MAX_K))


def result_text(query: str, hits: list[Hit]) -> str:
    if not hits:
        return f"No passage of the attached documents matches {json.dumps(query)}."
    return hits_text(hits)


def error_text(message: str) -> str:
    return f"Error: {message}"


LIMIT_TEXT: Final = (
    "Search limit reached for this answer. Answer now from the passages found so far."
)
