"""Putting attached documents into a conversation: strategy, placement, stability, sources.

A real document index on disk; the prompt size is measured as characters / 4 of the
conversation, which is what the worker's tokenizer would roughly say, so budgets are exact here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from engine.conversation import ChatMessage, ConversationError, ToolSpec
from engine.documents.index import DocumentIndex
from engine.documents.model import ExtractedDocument, Section
from engine.documents.prompt_text import document_text
from engine.documents.search_tool import (
    SEARCH_TOOL,
    ToolArgumentsError,
    parse_arguments,
    result_text,
)
from engine.documents.session import (
    DocumentLibrary,
    DocumentRef,
    Prepared,
    answer_reserve,
    parse_refs,
)


def measure(messages: Sequence[ChatMessage], tools: Sequence[ToolSpec]) -> int:
    text = "".join(m.content for m in messages) + "".join(t.description for t in tools)
    return len(text) // 4 + 10 * len(messages)


def filler(topic: str, n: int) -> str:
    return " ".join(f"Sentence {i} of the {topic} notes is plain filler." for i in range(n))


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    path = tmp_path / "documents.sqlite3"
    with DocumentIndex(path) as index:
        pages = [Section(filler("contract", 40), page=p) for p in range(1, 6)]
        pages[2] = Section(
            filler("contract", 20) + " The warranty lasts 24 months from delivery. "
            + filler("contract", 20),
            page=3,
        )
        index.add(ExtractedDocument(str(tmp_path / "contract.pdf"), "pdf", "Contract",
                                    tuple(pages), 5, 1000))  # fmt: skip
        index.add(
            ExtractedDocument(
                str(tmp_path / "notes.md"), "markdown", "Notes",
                (Section("Refunds are paid within 30 days.", heading="Notes › Refunds"),), None, 40,
            )
        )  # fmt: skip
    return path


def conversation() -> list[ChatMessage]:
    return [
        ChatMessage("user", "How long is the warranty?"),
        ChatMessage("assistant", "24 months."),
        ChatMessage("user", "And refunds?"),
    ]


def prepare(
    library: DocumentLibrary,
    index_path: Path,
    tmp_path: Path,
    n_ctx: int,
    messages: list[ChatMessage] | None = None,
    offer_tool: bool = True,
) -> Prepared:
    messages = messages or conversation()
    refs = [DocumentRef(str(tmp_path / name), 0) for name in ("contract.pdf", "notes.md")]
    return library.prepare(messages, refs, str(index_path), n_ctx=n_ctx, max_tokens=4096,
                           tools=[], offer_tool=offer_tool, measure=measure)  # fmt: skip


def test_documents_that_fit_go_whole_into_the_message_they_were_attached_to(
    index_path: Path, tmp_path: Path
) -> None:
    library = DocumentLibrary()
    prepared = prepare(library, index_path, tmp_path, n_ctx=32768)
    assert prepared.strategy == "whole"
    assert prepared.documents == 2 and prepared.tools == []
    first = prepared.messages[0].content
    assert first.startswith("<documents>") and first.endswith("How long is the warranty?")
    assert '<document name="contract.pdf" title="Contract" pages="5">' in first
    assert "[p. 3]" in first and "The warranty lasts 24 months" in first
    assert "[§ Notes › Refunds]" in first
    # Later messages are untouched; the block is only where the documents were attached.
    assert prepared.messages[1:] == conversation()[1:]
    assert 0 < prepared.tokens <= prepared.budget


def test_documents_too_long_become_passages_for_every_question(
    index_path: Path, tmp_path: Path
) -> None:
    library = DocumentLibrary()
    prepared = prepare(library, index_path, tmp_path, n_ctx=2048)
    assert prepared.strategy == "retrieval"
    assert prepared.tools == [SEARCH_TOOL]
    first, _, last = (m.content for m in prepared.messages)
    assert first.startswith("<attached>\n- contract.pdf (5 pages)\n- notes.md")
    assert "<passages>" in first and "[1] contract.pdf, p. 3" in first
    assert "documents.search" in first  # the tool is mentioned where the model reads passages
    assert "<passages>" in last and "notes.md, § Notes › Refunds" in last
    assert last.endswith("And refunds?")
    assert [h.chunk.heading for h in prepared.passages][:1] == ["Notes › Refunds"]
    assert prepared.tokens <= prepared.budget


def test_no_tool_for_models_that_cannot_call_one(index_path: Path, tmp_path: Path) -> None:
    prepared = prepare(DocumentLibrary(), index_path, tmp_path, n_ctx=2048, offer_tool=False)
    assert prepared.strategy == "retrieval" and prepared.tools == []
    assert "documents.search" not in prepared.messages[0].content


@pytest.mark.parametrize("n_ctx", [32768, 2048])
def test_a_follow_up_renders_the_earlier_turns_exactly_as_before(
    index_path: Path, tmp_path: Path, n_ctx: int
) -> None:
    """The cached prefix can only be reused if the earlier messages render the same."""
    library = DocumentLibrary()
    first = prepare(library, index_path, tmp_path, n_ctx, conversation()[:1])
    follow_up = prepare(library, index_path, tmp_path, n_ctx)
    assert first.strategy == follow_up.strategy
    assert follow_up.messages[0] == first.messages[0]
    again = prepare(DocumentLibrary(), index_path, tmp_path, n_ctx)
    assert again.messages == follow_up.messages


def test_a_document_gone_from_the_index_is_reported(index_path: Path, tmp_path: Path) -> None:
    with DocumentIndex(index_path) as index:
        index.remove(tmp_path / "notes.md")
    prepared = prepare(DocumentLibrary(), index_path, tmp_path, n_ctx=32768)
    assert prepared.missing == [str(tmp_path / "notes.md")]
    assert prepared.documents == 1 and "notes.md" not in prepared.messages[0].content


def test_sources_fuse_question_and_tool_results(index_path: Path, tmp_path: Path) -> None:
    library = DocumentLibrary()
    prepared = prepare(library, index_path, tmp_path, n_ctx=32768, messages=conversation()[:1])
    sources = library.sources(prepared, str(index_path))
    assert sources[0]["file"] == "contract.pdf" and sources[0]["page"] == 3
    assert set(sources[0]) == {"file", "path", "page", "heading", "excerpt", "score", "cited"}
    assert not any(s["cited"] for s in sources)
    assert "warranty" in sources[0]["excerpt"]
    searched = library.search(prepared, str(index_path), "refunds paid", 2)
    with_tool = library.sources(prepared, str(index_path), [searched])
    assert any(s["heading"] == "Notes › Refunds" for s in with_tool)


def test_the_places_an_answer_cites_lead_its_sources(index_path: Path, tmp_path: Path) -> None:
    library = DocumentLibrary()
    prepared = prepare(library, index_path, tmp_path, n_ctx=32768, messages=conversation()[:1])
    answer = (
        "It lasts 24 months [Contract.PDF, p. 5]; refunds take 30 days "
        "[notes.md, § Refunds; contract.pdf, p. 99] [other.pdf, p. 1]."
    )
    sources = library.sources(prepared, str(index_path), answer=answer)
    # In the answer's order; page 99 and a file that is not attached are not sources.
    assert [(s["file"], s["page"], s["heading"], s["cited"]) for s in sources[:2]] == [
        ("contract.pdf", 5, None, True),
        ("notes.md", None, "Notes › Refunds", True),
    ]
    # Then the question's own best passage, which the answer did not cite.
    assert (sources[2]["page"], sources[2]["cited"]) == (3, False)
    assert [s["page"] for s in sources].count(5) == 1


def test_references_are_checked(tmp_path: Path) -> None:
    messages = conversation()
    assert parse_refs([{"path": "a.pdf", "message": 2}], messages) == [
        DocumentRef(str(Path("a.pdf").resolve()), 2)
    ]
    for bad in ([{"path": "a.pdf", "message": 1}], [{"path": "", "message": 0}],
                [{"path": "a.pdf", "message": 9}], ["a.pdf"], [{"path": "a.pdf"}]):  # fmt: skip
        with pytest.raises(ConversationError):
            parse_refs(bad, messages)


def test_an_index_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConversationError, match="no document index"):
        DocumentLibrary().index(str(tmp_path / "missing.sqlite3"))


def test_room_for_the_answer() -> None:
    assert answer_reserve(8192, 4096) == 2048
    assert answer_reserve(131072, 100_000) == 8192
    assert answer_reserve(2048, 4096) == 512
    assert answer_reserve(32768, 300) == 300


def test_document_text_is_rebuilt_once_from_overlapping_chunks(tmp_path: Path) -> None:
    text = " ".join(f"Line {i} says something about topic {i % 7}." for i in range(400))
    with DocumentIndex(tmp_path / "i.sqlite3") as index:
        section = Section(text, heading="Intro")
        index.add(ExtractedDocument(str(tmp_path / "t.txt"), "text", "t", (section,), None, 9))
        chunks = index.chunks(tmp_path / "t.txt")
    assert len(chunks) > 3
    rebuilt = document_text(chunks)
    assert rebuilt.startswith("[§ Intro]\n")
    body = rebuilt.removeprefix("[§ Intro]\n")
    assert " ".join(body.split()) == " ".join(text.split())


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('{"query": "warranty"}', ("warranty", 5)),
        ('{"query": " refunds ", "k": 3}', ("refunds", 3)),
        ('{"query": "x", "k": 99}', ("x", 10)),
        ('{"query": "x", "k": "many"}', ("x", 5)),
        ('"warranty terms"', ("warranty terms", 5)),
        ("warranty terms", ("warranty terms", 5)),
    ],
)
def test_search_arguments(arguments: str, expected: tuple[str, int]) -> None:
    assert parse_arguments(arguments) == expected


@pytest.mark.parametrize("arguments", ['{"query": ""}', '{"k": 2}', "[1, 2]", ""])
def test_unusable_search_arguments_are_explained(arguments: str) -> None:
    with pytest.raises(ToolArgumentsError):
        parse_arguments(arguments)


def test_an_empty_search_says_so() -> None:
    assert result_text("zebra", []) == 'No passage of the attached documents matches "zebra".'
