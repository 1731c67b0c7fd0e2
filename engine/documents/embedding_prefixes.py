"""The texts some embedding models want before a query and before a passage.

Retrieval models trained with instructions expect them at use too: the E5 family was trained
on "query: …" against "passage: …", and without the prefixes its similarities flatten out
(its model card says so). Others want nothing, or only a query instruction. The model is
recognised by its GGUF ``general.basename`` and ``general.name`` (then its file name),
lower-cased with runs of spaces, dots and underscores made hyphens, and matched against the
table below in order, so the more specific patterns come first. A model that matches nothing
gets no prefix, which is right for plain sentence-similarity models (bge-m3, gte, MiniLM).

Each entry has a ``tag`` that goes into the embedder's model id: if an entry ever changes,
vectors made with the old prefixes are not compared with new ones.

Only the E5 entries are exercised by Lanterna's catalog model (multilingual-e5-small); the
others follow their model cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Prefixes:
    query: str
    document: str
    tag: str


NONE = Prefixes("", "", "plain")

# The instruction both E5-instruct and Qwen3-Embedding were trained with for web search.
_SEARCH_INSTRUCT = (
    "Instruct: Given a web search query, retrieve relevant passages that answer the query\n"
    "Query: "
)
_REPRESENT = "Represent this sentence for searching relevant passages: "

TABLE: tuple[tuple[re.Pattern[str], Prefixes], ...] = (
    (re.compile(r"\be5\b.*\binstruct\b"), Prefixes(_SEARCH_INSTRUCT, "", "e5-instruct")),
    (re.compile(r"\be5\b"), Prefixes("query: ", "passage: ", "e5")),
    (re.compile(r"\bnomic\b.*\bembed\b"), Prefixes("search_query: ", "search_document: ", "nomic")),
    (
        re.compile(r"\bembeddinggemma\b"),
        Prefixes("task: search result | query: ", "title: none | text: ", "embeddinggemma"),
    ),
    (re.compile(r"\bqwen3\b.*\bembedding\b"), Prefixes(_SEARCH_INSTRUCT, "", "qwen3-embedding")),
    (re.compile(r"\bbge\b.*\ben\b"), Prefixes(_REPRESENT, "", "bge-en")),
    (re.compile(r"\bsnowflake\b.*\barctic\b"), Prefixes(_REPRESENT, "", "arctic")),
    (re.compile(r"\bmxbai\b.*\bembed\b"), Prefixes(_REPRESENT, "", "mxbai")),
)


def normalized(name: str) -> str:
    return re.sub(r"[\s._]+", "-", name.strip().lower())


def prefixes_for(names: Iterable[str]) -> Prefixes:
    """The prefixes of the first table entry matching one of ``names`` (most telling first)."""
    keys = [normalized(n) for n in names if n and n.strip()]
    for pattern, prefixes in TABLE:
        if any(pattern.search(key) for key in keys):
            return prefixes
    return NONE
