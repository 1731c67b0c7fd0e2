"""Putting a conversation's attached documents into its prompt, in the worker.

Two strategies, chosen per request and reported to the client (``DocumentsPlan``):

- **whole**: when the conversation with every document in full, plus room for the answer, fits
  the context, each document goes whole at the start of the user message it was attached to.
- **retrieval**: otherwise, that message lists what was attached, and every user message from
  then on starts with the passages of the documents that best match it (BM25, fused with vectors
  when the index has an embedder). gpt-oss also gets the ``documents.search`` tool to look for
  more (``engine.documents.search_tool``). With an embedding model, the documents' passages
  are embedded the first time retrieval needs them, and the vectors kept in the index.

Both renderings depend only on the conversation and the index, never on which turn is being
answered: the prompt of a follow-up starts with the same text as the last one, documents
included, so the backend reuses its cached prefix and the documents are not read again. The
strategy changes only when the whole documents stop fitting (the conversation grew): the first
answer after that reads the prompt again.

Room for the answer: a quarter of the context, at least 512 tokens, at most 8192 and never more
than the request's ``max_tokens``. gpt-oss's reasoning comes out of the same room, so it is
generous; a 20k-token document fits whole in a 32k context.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine.conversation import ChatMessage, ConversationError, ToolSpec
from engine.documents.chunking import Chunk
from engine.documents.cited import cited_chunks, parse_citations
from engine.documents.embedding import EmbeddingError
from engine.documents.excerpt import excerpt as make_excerpt
from engine.documents.fusion import reciprocal_rank_fusion
from engine.documents.index import (
    DocumentIndex,
    DocumentIndexError,
    Embedder,
    Hit,
    IndexedDocument,
)
from engine.documents.prompt_text import (
    document_text,
    listing_block,
    passages_block,
    whole_block,
)
from engine.documents.query import parse_query
from engine.documents.search_tool import SEARCH_TOOL

Strategy = Literal["whole", "retrieval"]
# Prompt tokens of a conversation rendered with some tools (the worker renders and tokenizes).
Measure = Callable[[Sequence[ChatMessage], Sequence[ToolSpec]], int]

MAX_PASSAGES = 8
MAX_SOURCES = 5


@dataclass(frozen=True)
class DocumentRef:
    path: str
    message: int  # index of the user message it is attached to


@dataclass
class Prepared:
    """A request's conversation with its documents in place, and what it took."""

    messages: list[ChatMessage]
    tools: list[ToolSpec]
    strategy: Strategy
    documents: int
    tokens: int  # prompt tokens the documents (or their passages) take
    budget: int  # prompt tokens the context leaves for documents
    missing: list[str]
    paths: list[str]  # the documents found in the index, attachment order
    question: str  # the last user message
    passages: list[Hit] = field(default_factory=list)  # given with the last user message


def answer_reserve(n_ctx: int, max_tokens: int) -> int:
    return max(1, min(max_tokens, max(512, n_ctx // 4), 8192))


def passage_budget(n_ctx: int, reserve: int) -> int:
    """Prompt tokens for one message's passages: enough for several, a small share of a big
    context, so that many questions' passages fit one conversation."""
    return max(512, min(4096, (n_ctx - reserve) // 6))


def parse_refs(raw: Sequence[object], messages: Sequence[ChatMessage]) -> list[DocumentRef]:
    refs: list[DocumentRef] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConversationError(f"document {i}: expected an object with 'path' and 'message'")
        path, message = item.get("path"), item.get("message")
        if not isinstance(path, str) or not path:
            raise ConversationError(f"document {i}: 'path' must be a file path")
        if not isinstance(message, int) or isinstance(message, bool):
            raise ConversationError(f"document {i}: 'message' must be a message index")
        if not 0 <= message < len(messages) or messages[message].role != "user":
            raise ConversationError(f"document {i}: message {message} is not a user message")
        refs.append(DocumentRef(os.path.abspath(path), message))
    return refs


class DocumentLibrary:
    """The worker's view of the document index: open connections and the whole texts already
    rebuilt, so a follow-up costs neither a reread of the index nor a re-join of chunks."""

    def __init__(self) -> None:
        self._indexes: dict[str, DocumentIndex] = {}
        self._texts: dict[tuple[str, str, float], str] = {}
        self._embedder: Embedder | None = None

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder

    def set_embedder(self, embedder: Embedder | None) -> None:
        """Search with ``embedder`` from now on (None: BM25 alone). Open indexes are closed, to
        be reopened with it; the caller owns the embedder and closes it."""
        if embedder is self._embedder:
            return
        self._embedder = embedder
        for index in self._indexes.values():
            index.close()
        self._indexes.clear()

    def index(self, path: str) -> DocumentIndex:
        key = os.path.abspath(path)
        index = self._indexes.get(key)
        if index is None:
            if not os.path.isfile(key):
                raise ConversationError(f"no document index at {key}")
            try:
                index = DocumentIndex(key, self._embedder)
            except DocumentIndexError as exc:
                raise ConversationError(str(exc)) from None
            self._indexes[key] = index
        return index

    def close(self) -> None:
        for index in self._indexes.values():
            index.close()
        self._indexes.clear()
        self._texts.clear()

    def _text(self, index: DocumentIndex, doc: IndexedDocument) -> str:
        key = (doc.path, doc.sha256, doc.indexed_at)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) > 64:  # documents of long-gone chats
                self._texts.clear()
            text = self._texts[key] = document_text(index.chunks(doc.path))
        return text

    def prepare(
        self,
        messages: Sequence[ChatMessage],
        refs: Sequence[DocumentRef],
        index_path: str,
        *,
        n_ctx: int,
        max_tokens: int,
        tools: Sequence[ToolSpec],
        offer_tool: bool,
        measure: Measure,
        block: Callable[[str], str] = lambda text: text,
        cancelled: Callable[[], bool] = lambda: False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Prepared:
        """The conversation with its documents, whole if they fit, else as passages.

        ``messages`` are guarded already; ``block`` guards a block of document text and sets
        it apart (``SpecialTextGuard.protect_block``) so its tokens can be reused. Retrieval
        first embeds passages that have no vector yet: ``progress(done, total)`` follows that,
        and ``cancelled`` stops it (:class:`~engine.documents.index.EmbeddingCancelled`).
        """

        def prefixed(text: str, content: str) -> str:
            return block(f"{text}\n\n" if content else text) + content

        index = self.index(index_path)
        found: dict[str, IndexedDocument] = {}
        missing: list[str] = []
        by_message: dict[int, list[IndexedDocument]] = {}
        for ref in refs:
            doc = found.get(ref.path) or index.document(ref.path)
            if doc is None:
                if ref.path not in missing:
                    missing.append(ref.path)
                continue
            if ref.path in found:
                continue  # attached twice: once is enough, at its first message
            found[ref.path] = doc
            by_message.setdefault(ref.message, []).append(doc)
        question = next((m.content for m in reversed(messages) if m.role == "user"), "")
        reserve = answer_reserve(n_ctx, max_tokens)
        base = measure(messages, tools)
        budget = max(0, n_ctx - reserve - base)
        paths = list(found)

        def prepared(
            msgs: list[ChatMessage], tls: list[ToolSpec], strategy: Strategy, tokens: int,
            passages: list[Hit] | None = None,
        ) -> Prepared:
            return Prepared(msgs, tls, strategy, len(found), tokens, budget, missing, paths,
                            question, passages or [])  # fmt: skip

        if not found:
            return prepared(list(messages), list(tools), "whole", 0)

        whole = [
            replace(m, content=prefixed(whole_block([(d, self._text(index, d)) for d in
                                                     by_message[i]]), m.content))
            if i in by_message else m
            for i, m in enumerate(messages)
        ]  # fmt: skip
        whole_tokens = measure(whole, tools) - base
        if whole_tokens <= budget:
            return prepared(whole, list(tools), "whole", whole_tokens)

        all_tools = [*tools, SEARCH_TOOL] if offer_tool else list(tools)
        index = self._with_vectors(index, index_path, paths, cancelled, progress)
        retrieval, passages = self._with_passages(
            index, messages, by_message, passage_budget(n_ctx, reserve), offer_tool, prefixed
        )
        # Too long even so (a long conversation): the oldest messages lose their passages.
        dropped = 0
        tokens = measure(retrieval, all_tools) - base
        while tokens > budget and dropped < len(passages) - 1:
            i = sorted(passages)[dropped]
            content = messages[i].content
            if i in by_message:
                content = prefixed(listing_block(by_message[i]), content)
            retrieval[i] = replace(retrieval[i], content=content)
            dropped += 1
            tokens = measure(retrieval, all_tools) - base
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
        return prepared(retrieval, all_tools, "retrieval", tokens, passages.get(last_user))

    def _with_vectors(
        self,
        index: DocumentIndex,
        index_path: str,
        paths: list[str],
        cancelled: Callable[[], bool],
        progress: Callable[[int, int], None] | None,
    ) -> DocumentIndex:
        """The index, its documents' chunks embedded by the embedder (only those without a
        vector of this model: once per chunk). Only retrieval needs vectors; whole documents
        are never embedded. If embedding fails, retrieval goes on by BM25 alone."""
        if self._embedder is None:
            return index
        try:
            index.embed_missing(paths, cancelled=cancelled, progress=progress)
        except EmbeddingError as exc:
            print(f"document search without vectors: {exc}", file=sys.stderr, flush=True)
            self.set_embedder(None)
            return self.index(index_path)
        return index

    def _with_passages(
        self,
        index: DocumentIndex,
        messages: Sequence[ChatMessage],
        by_message: Mapping[int, list[IndexedDocument]],
        per_message: int,
        tool: bool,
        prefixed: Callable[[str, str], str],
    ) -> tuple[list[ChatMessage], dict[int, list[Hit]]]:
        out = list(messages)
        passages: dict[int, list[Hit]] = {}
        attached: list[str] = []
        previous_question = ""
        for i, message in enumerate(messages):
            attached.extend(d.path for d in by_message.get(i, []))
            if message.role != "user" or not attached:
                continue
            hits = _fit(index.search(message.content, k=MAX_PASSAGES, paths=attached), per_message)
            if not hits and previous_question:
                # A short follow-up ("and the second one?") leans on the question before it.
                query = f"{previous_question} {message.content}"
                hits = _fit(index.search(query, k=MAX_PASSAGES, paths=attached), per_message)
            previous_question = message.content
            passages[i] = hits
            blocks = [listing_block(by_message[i])] if i in by_message else []
            blocks.append(passages_block(hits, tool))
            out[i] = replace(message, content=prefixed("\n\n".join(blocks), message.content))
        return out, passages

    def search(self, prepared: Prepared, index_path: str, query: str, k: int) -> list[Hit]:
        return self.index(index_path).search(query, k=k, paths=prepared.paths)

    def sources(
        self,
        prepared: Prepared,
        index_path: str,
        searched: Sequence[Sequence[Hit]] = (),
        answer: str = "",
    ) -> list[dict[str, Any]]:
        """The passages an answer rests on, best first.

        First the places the answer itself cites (``[report.pdf, p. 3]``), in its order; then
        the passages that match the question (the ones it was given, with retrieval) and those
        the model found with the tool, fused by reciprocal rank.

        The answer's other words are not searched: a small model's answer can echo words that
        are everywhere in a document (its title) and push the right page down, and the
        question's ranking is the one measured on the question set (tests/data/documents).
        """
        if not prepared.paths:
            return []
        index = self.index(index_path)
        question_hits = prepared.passages or index.search(
            prepared.question, k=MAX_SOURCES, paths=prepared.paths
        )
        rankings: list[list[Hit]] = [list(question_hits), *(list(h) for h in searched)]
        by_key: dict[tuple[str, int], Hit] = {}
        for ranking in rankings:
            for hit in ranking:
                by_key.setdefault((hit.chunk.path, hit.chunk.ordinal), hit)
        fused = reciprocal_rank_fusion(
            [[(h.chunk.path, h.chunk.ordinal) for h in ranking] for ranking in rankings]
        )
        order = [key for key, _ in fused]
        cited = self._cited(index, prepared, answer, order) if answer else []
        out = [source_json(hit, cited=True) for hit in cited]
        seen = {(hit.chunk.path, hit.chunk.ordinal) for hit in cited}
        for key in order:
            if len(out) >= MAX_SOURCES:
                break
            if key not in seen:
                out.append(source_json(by_key[key]))
        return out

    def _cited(
        self, index: DocumentIndex, prepared: Prepared, answer: str, order: list[tuple[str, int]]
    ) -> list[Hit]:
        """One passage per place the answer cites: of the chunks at that place, the one the
        question's ranking puts first, else the one holding the most of the question's words."""
        words = parse_query(prepared.question).words
        rank = {key: i for i, key in enumerate(order)}
        chunks: dict[str, list[Chunk]] = {}
        out: list[Hit] = []
        taken: set[tuple[str, int]] = set()
        for citation in parse_citations(answer, prepared.paths):
            if citation.path not in chunks:
                chunks[citation.path] = index.chunks(citation.path)
            candidates = cited_chunks(citation, chunks[citation.path])
            if not candidates:
                continue  # a page the document does not have: nothing to show for it
            scored = []
            for chunk in candidates:
                text, spans = make_excerpt(chunk.text, words)
                ranked = rank.get((chunk.path, chunk.ordinal), len(rank))
                scored.append((ranked, -len(spans), chunk.ordinal, chunk, text, spans))
            _, _, _, chunk, text, spans = min(scored, key=lambda row: row[:3])
            if (chunk.path, chunk.ordinal) in taken:
                continue  # two citations of one place
            taken.add((chunk.path, chunk.ordinal))
            title = os.path.basename(chunk.path)
            out.append(Hit(chunk, title, 0.0, len(out) + 1, text, spans))
        return out


def source_json(hit: Hit, *, cited: bool = False) -> dict[str, Any]:
    """A source as events and the store carry it; ``cited``: the answer names this place."""
    return {
        "file": os.path.basename(hit.chunk.path),
        "path": hit.chunk.path,
        "page": hit.chunk.page,
        "heading": hit.chunk.heading,
        "excerpt": hit.excerpt,
        "score": round(hit.score, 6),
        "cited": cited,
    }


def _fit(hits: Sequence[Hit], budget: int) -> list[Hit]:
    """The best hits whose estimated size stays within ``budget`` tokens (at least one)."""
    out: list[Hit] = []
    used = 0
    for hit in hits:
        if out and used + hit.chunk.tokens > budget:
            break
        out.append(hit)
        used += hit.chunk.tokens
    return out
