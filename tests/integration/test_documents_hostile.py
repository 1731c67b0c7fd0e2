"""Hostile and broken files: each ends in a document with a notice or an ExtractionError of the
right kind with a one-line message, within bounded time and memory, and the calling process
keeps working.

Most run through ``extract_isolated`` — a real child process with an address-space limit — so
the limits are what is measured: a child that tried to load a 1 GB file whole under a 512 MB
limit would fail. Where in-process ``extract`` is safe too (zip bombs, encrypted files, lying
page trees), it is checked as well.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from engine.documents.extract import extract
from engine.documents.isolated import extract_isolated
from engine.documents.limits import MIB
from engine.documents.model import ExtractedDocument, ExtractionError
from tests.support.document_files import (
    GIB,
    licence_lines,
    pages_of,
    para,
    write_blank_pdf,
    write_docx,
    write_docx_many_entries,
    write_docx_zip_bomb,
    write_pdf,
    write_pdf_deep_nesting,
    write_pdf_giant_page,
    write_pdf_inflate_bomb,
    write_pdf_lying_page_count,
    write_pdf_page_tree_bomb,
    write_sparse_text,
)

pytest.importorskip("reportlab")

# Enough for any sane document, far less than the hostile files ask for.
MEMORY = 512 * MIB
TIMEOUT = 60.0


def _isolated_error(
    path: Path, timeout: float = TIMEOUT, memory_limit: int = MEMORY
) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract_isolated(path, timeout=timeout, memory_limit=memory_limit)
    return _checked(info.value, path)


def _inprocess_error(path: Path) -> ExtractionError:
    with pytest.raises(ExtractionError) as info:
        extract(path)
    return _checked(info.value, path)


def _checked(exc: ExtractionError, path: Path) -> ExtractionError:
    message = str(exc)
    assert message and "\n" not in message, message
    assert path.name in message
    assert exc.path == os.path.abspath(path)
    return exc


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def good_pdf(files: Path) -> Path:
    return write_pdf(files / "good.pdf", pages_of(licence_lines(), pages=3, per_page=40))


def _still_working(good_pdf: Path) -> None:
    """After whatever happened, this process reads a document, in and out of process."""
    assert [s.page for s in extract(good_pdf).sections] == [1, 2, 3]
    assert extract_isolated(good_pdf, timeout=TIMEOUT).pages == 3


@pytest.mark.timeout(120)
def test_a_good_pdf_round_trips_through_the_child(good_pdf: Path) -> None:
    doc = extract_isolated(good_pdf, timeout=TIMEOUT, memory_limit=MEMORY)
    assert isinstance(doc, ExtractedDocument)
    assert doc == extract(good_pdf)


def test_only_document_types_come_back_from_the_child() -> None:
    # A child taken over through a native bug could send any pickle; only ours are loaded.
    import io
    import pickle

    from engine.documents.isolated import _ResultUnpickler

    with pytest.raises(pickle.UnpicklingError):
        _ResultUnpickler(io.BytesIO(pickle.dumps(print))).load()
    exc = ExtractionError("x is empty", "empty", "/x")
    back = _ResultUnpickler(io.BytesIO(pickle.dumps(exc))).load()
    assert (str(back), back.kind, back.path) == ("x is empty", "empty", "/x")


# PDF


def test_encrypted_pdf(files: Path, good_pdf: Path) -> None:
    path = write_pdf(files / "locked.pdf", [["Confidential."]], encrypt_with="s3cret")
    for exc in (_isolated_error(path), _inprocess_error(path)):
        assert exc.kind == "encrypted"
        assert str(exc) == "locked.pdf is password-protected"
    _still_working(good_pdf)


def test_pdf_that_claims_100k_pages_over_one(files: Path) -> None:
    path = write_pdf_lying_page_count(files / "liar.pdf", declared=100_000)
    doc = extract_isolated(path, timeout=TIMEOUT, memory_limit=MEMORY)
    assert doc.pages == 100_000
    assert [(s.page, s.text) for s in doc.sections] == [(1, "The only real page")]
    assert doc.notice == (
        "only the first 2,000 of 100,000 pages were read; 1,999 pages could not be read"
    )


def test_pdf_page_tree_bomb_reads_at_most_the_page_limit(files: Path) -> None:
    path = write_pdf_page_tree_bomb(files / "tree.pdf", levels=5, fan=10)
    assert path.stat().st_size < 2000
    doc = extract_isolated(path, timeout=TIMEOUT, memory_limit=MEMORY)
    assert doc.pages == 100_000
    assert len(doc.sections) == 2000
    assert doc.notice == "only the first 2,000 of 100,000 pages were read"


def test_pdf_nested_100k_deep_and_giant_page(files: Path) -> None:
    deep = extract_isolated(
        write_pdf_deep_nesting(files / "deep.pdf"), timeout=TIMEOUT, memory_limit=MEMORY
    )
    assert deep.sections[0].text == "Below the deep nesting"
    giant = extract_isolated(
        write_pdf_giant_page(files / "giant.pdf"), timeout=TIMEOUT, memory_limit=MEMORY
    )
    assert giant.sections[0].text == "A very large page"


@pytest.fixture(scope="module")
def inflate_bomb(files: Path) -> Path:
    return write_pdf_inflate_bomb(files / "inflate.pdf", inflated=GIB)


@pytest.mark.timeout(180)
def test_pdf_inflate_bomb_is_stopped_by_the_memory_limit(
    inflate_bomb: Path, good_pdf: Path
) -> None:
    # 1.5 MB on disk that PDFium inflates to 1 GiB of drawing operators, then many times
    # that in parsed objects: it runs into the child's limit and the child dies, not us.
    assert inflate_bomb.stat().st_size < 4 * MIB
    exc = _isolated_error(inflate_bomb)
    assert exc.kind == "corrupt"
    assert "512 MB of memory" in str(exc)
    _still_working(good_pdf)


@pytest.mark.timeout(180)
def test_pdf_inflate_bomb_is_stopped_by_the_deadline(inflate_bomb: Path, good_pdf: Path) -> None:
    # With room for 8 GiB the bomb takes ~10 s to exhaust it: the 1 s deadline comes first.
    exc = _isolated_error(inflate_bomb, timeout=1.0, memory_limit=8 * GIB)
    assert exc.kind == "timeout"
    assert str(exc) == "Reading inflate.pdf took longer than 1 s and was stopped"
    _still_working(good_pdf)


@pytest.mark.parametrize(
    ("pages", "said"),
    [(3, "none of its 3 pages has a text layer"), (1, "its only page has no text layer")],
)
def test_scanned_pdf_without_text_layer(files: Path, pages: int, said: str) -> None:
    path = write_pdf(files / "scan.pdf", [None] * pages)
    exc = _isolated_error(path)
    assert exc.kind == "empty"
    assert (
        str(exc) == f"scan.pdf looks scanned: {said}, and text recognition (OCR) is not available"
    )


def test_partly_scanned_pdf_keeps_its_text_and_counts_the_rest(files: Path) -> None:
    path = write_pdf(files / "mixed.pdf", [["Typed page one."], None, None, ["Typed page four."]])
    doc = extract_isolated(path, timeout=TIMEOUT, memory_limit=MEMORY)
    assert [(s.page, s.text) for s in doc.sections] == [
        (1, "Typed page one."),
        (4, "Typed page four."),
    ]
    assert doc.notice == "scanned PDF: 2 pages have no text"


def test_blank_pdf(files: Path) -> None:
    exc = _isolated_error(write_blank_pdf(files / "blank.pdf", 2))
    assert exc.kind == "empty"
    assert str(exc) == "blank.pdf has no text: its pages are blank"


# DOCX


@pytest.fixture(scope="module")
def zip_bomb(files: Path) -> Path:
    return write_docx_zip_bomb(files / "bomb.docx", inflated=2 * GIB)


@pytest.mark.timeout(180)
def test_docx_zip_bomb_is_refused_before_inflating(zip_bomb: Path, good_pdf: Path) -> None:
    assert zip_bomb.stat().st_size < 16 * MIB
    for exc in (_isolated_error(zip_bomb), _inprocess_error(zip_bomb)):
        assert exc.kind == "too_large"
        assert "bomb.docx is too large to read safely" in str(exc)
    _still_working(good_pdf)


def test_docx_part_with_an_implausible_compression_ratio(files: Path) -> None:
    # 200 MiB of zeros: under the size limit, but no XML compresses 1,000 times.
    path = write_docx_zip_bomb(files / "ratio.docx", inflated=200 * MIB)
    exc = _inprocess_error(path)
    assert exc.kind == "too_large"
    assert "compressed" in str(exc)


def test_docx_with_too_many_entries(files: Path) -> None:
    path = write_docx_many_entries(files / "crowded.docx", entries=12_000)
    exc = _inprocess_error(path)
    assert exc.kind == "too_large"
    assert str(exc) == "crowded.docx is too large to read safely: the archive lists 12,005 files"


def test_docx_truncated_archive(files: Path) -> None:
    whole = write_docx(files / "whole.docx", para("Texto completo."))
    path = files / "cut.docx"
    path.write_bytes(whole.read_bytes()[:300])
    assert _isolated_error(path).kind == "corrupt"


# text


@pytest.mark.timeout(120)
def test_one_gigabyte_text_file_is_read_up_to_the_limit(files: Path, good_pdf: Path) -> None:
    sentence = "O farol guia os navios à noite. El faro guía los barcos de noche. "
    path = write_sparse_text(files / "huge.txt", GIB, sentence * 2000, every=8 * MIB)
    assert path.stat().st_size == GIB
    assert path.stat().st_blocks * 512 < 64 * MIB  # sparse: it costs almost no disk
    # 512 MB of address space for a 1 GiB file: only a bounded read can succeed.
    doc = extract_isolated(path, timeout=TIMEOUT, memory_limit=MEMORY)
    assert doc.notice == "truncated at 64 MB of text"
    assert doc.size == GIB
    text = doc.sections[0].text
    assert text.startswith("O farol guia os navios à noite.")
    # Eight copies of the text in the first 64 MB; the holes (NUL bytes) are gone.
    assert text.count("El faro guía los barcos de noche.") == 8 * 2000
    assert "\x00" not in text
    _still_working(good_pdf)


def test_binary_file_named_txt(files: Path) -> None:
    path = files / "program.txt"
    with open(sys.executable, "rb") as f:
        path.write_bytes(f.read(256 * 1024))
    for exc in (_isolated_error(path), _inprocess_error(path)):
        assert exc.kind == "binary"
        assert str(exc) == "program.txt is not a text file: it contains binary data"


def test_binary_file_named_markdown_and_html(files: Path) -> None:
    data = bytes(range(256)) * 512
    for name in ("notes.md", "page.html"):
        path = files / name
        path.write_bytes(data)
        assert _inprocess_error(path).kind == "binary"


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.docx", "empty.md", "empty"])
def test_empty_files(files: Path, name: str) -> None:
    path = files / name
    path.write_bytes(b"")
    exc = _inprocess_error(path)
    assert exc.kind == "empty"
    assert str(exc) == f"{name} is empty"


def test_whitespace_only_file(files: Path) -> None:
    path = files / "blank.txt"
    path.write_bytes(b" \r\n\t\r\n \x0c ")
    exc = _isolated_error(path)
    assert exc.kind == "empty"
    assert str(exc) == "blank.txt has no text"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_named_pipe_is_not_opened(files: Path) -> None:
    path = files / "pipe.txt"
    os.mkfifo(path)
    # Opening a pipe with no writer would block forever.
    assert _inprocess_error(path).kind == "unsupported"


def test_unreadable_file(files: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = files / "secret.txt"
    path.write_text("x", "utf-8")
    path.chmod(0)
    assert _inprocess_error(path).kind == "corrupt"


def test_folder_of_hostile_files_gives_one_result_each(
    files: Path, zip_bomb: Path, good_pdf: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "dropped"
    folder.mkdir()
    shutil.copy(good_pdf, folder / "a-good.pdf")
    shutil.copy(zip_bomb, folder / "b-bomb.docx")
    write_pdf(folder / "c-locked.pdf", [["x"]], encrypt_with="pw")
    (folder / "d-empty.txt").write_bytes(b"")

    def isolated(path: Path) -> ExtractedDocument:
        return extract_isolated(path, timeout=TIMEOUT, memory_limit=MEMORY)

    from engine.documents.extract import extract_folder

    results = extract_folder(folder, extract_one=isolated)
    kinds = [r.kind for r in results]
    assert kinds == ["pdf", "too_large", "encrypted", "empty"]
    assert all(r.path and Path(r.path).parent == folder for r in results)
