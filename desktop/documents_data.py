"""What messages keep of documents, read from their ``meta`` for the window and the worker.

- A user message keeps the documents attached to it: ``meta["attachments"]``, a list of
  :meth:`engine.documents.attach.Attachment.to_json` records.
- An answer keeps how the documents reached the model, ``meta["documents"]`` (the worker's
  :class:`~engine.protocol.DocumentsPlan` as a dict), the searches gpt-oss ran itself (in
  ``meta["tool_calls"]``, name ``documents.search``) and its citations, ``meta["sources"]``
  (the worker's :class:`~engine.protocol.Sources`).

The records are read here with plain dict access rather than ``Attachment.from_json``: the
attach module pulls in the document index (and numpy), which the window only needs once a
document is dropped, not to draw a chat that mentions one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine import protocol as p

SEARCH_TOOL = "documents.search"


@dataclass(frozen=True)
class AttachedFile:
    """What a chip shows of an attached document."""

    path: str
    name: str
    pages: int | None
    size: int
    notice: str | None = None

    @classmethod
    def from_json(cls, obj: object) -> AttachedFile | None:
        if not isinstance(obj, Mapping) or not obj.get("path"):
            return None
        try:
            pages = obj.get("pages")
            return cls(
                path=str(obj["path"]),
                name=str(obj.get("name") or str(obj["path"]).replace("\\", "/").split("/")[-1]),
                pages=int(pages) if pages is not None else None,
                size=int(obj.get("size") or 0),
                notice=str(obj["notice"]) if obj.get("notice") else None,
            )
        except (TypeError, ValueError):
            return None


def attachments_in(meta: Mapping[str, Any]) -> list[AttachedFile]:
    """The documents attached to a user message (damaged records are skipped)."""
    raw = meta.get("attachments")
    if not isinstance(raw, list):
        return []
    found = (AttachedFile.from_json(a) for a in raw)
    return [a for a in found if a is not None]


def documents_payload(messages: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The ``documents`` of a generate request: every attachment of every user message, with
    the index of its message in the list sent (``messages`` is that list as (role, meta)).

    All of them, every time, in the same order: the worker rebuilds the prompt from them the
    same way each turn, so a follow-up reuses the cached prefix that holds the documents.
    """
    out: list[dict[str, Any]] = []
    for i, (role, meta) in enumerate(messages):
        if role == "user":
            out.extend({"path": a.path, "message": i} for a in attachments_in(meta))
    return out


def plan_json(plan: p.DocumentsPlan) -> dict[str, Any]:
    """The plan as stored in an answer's meta (without the request id)."""
    data = asdict(plan)
    data.pop("req", None)
    return data


def search_queries(tool_calls: object) -> list[str]:
    """The queries of the document searches among an answer's tool calls."""
    if not isinstance(tool_calls, list):
        return []
    queries = []
    for call in tool_calls:
        if not isinstance(call, Mapping) or call.get("name") != SEARCH_TOOL:
            continue
        queries.append(search_query(str(call.get("arguments") or "")))
    return queries


def search_query(arguments: str) -> str:
    """The ``query`` of a search call's JSON arguments (the raw text if they are not JSON)."""
    try:
        args = json.loads(arguments)
    except ValueError:
        return arguments.strip()
    if isinstance(args, Mapping) and isinstance(args.get("query"), str):
        return str(args["query"]).strip()
    return arguments.strip()


def sources_in(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = meta.get("sources")
    if not isinstance(raw, list):
        return []
    return [dict(s) for s in raw if isinstance(s, Mapping) and (s.get("file") or s.get("path"))]
