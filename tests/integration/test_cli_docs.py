"""``lanterna-engine docs search`` as a user runs it: real files, real extraction in a child
process, the cache file on disk, exit codes and output."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_cli import run_cli
from tests.support.document_files import licence_lines, pages_of, write_pdf

MIME_SPEC = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")


def _home(tmp_path: Path) -> dict[str, str]:
    return {"LANTERNA_HOME": str(tmp_path / "home")}


def _cache(tmp_path: Path) -> Path:
    return tmp_path / "home" / "cache" / "documents.sqlite3"


def _json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.fixture
def guide_pdf(tmp_path: Path) -> Path:
    """Three pages of licence text, with one line about lighthouses on page 2."""
    pages = [list(p) for p in pages_of(licence_lines(), pages=3, per_page=30)]
    pages[1][10] = "The Fresnel lens of the lighthouse bends light into a beam."
    return write_pdf(tmp_path / "guide.pdf", pages, title="Lighthouse guide")


@pytest.fixture
def manual_md(tmp_path: Path) -> Path:
    path = tmp_path / "manual.md"
    path.write_text(
        "# Manual\n\nRun the installer.\n\n## Linux\n\nUse the AppImage or the .deb package.\n\n"
        "## Configuração\n\nA configuração da ação de cópia fica em Preferências.\n",
        encoding="utf-8",
    )
    return path


def test_json_hits_cite_the_pdf_page(tmp_path: Path, guide_pdf: Path, manual_md: Path) -> None:
    res = run_cli(
        "docs", "search", str(guide_pdf), str(manual_md),
        "--query", "How far does the lighthouse beam reach?", "--json", "--k", "3",
        env=_home(tmp_path),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    hits = _json_lines(res.stdout)
    assert 1 <= len(hits) <= 3
    top = hits[0]
    assert set(top) == {"rank", "file", "page", "heading", "score", "excerpt"}
    assert (top["rank"], top["file"], top["page"], top["heading"]) == (1, str(guide_pdf), 2, None)
    assert "lighthouse" in top["excerpt"] and "beam" in top["excerpt"]
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_plain_output_names_file_and_heading(tmp_path: Path, manual_md: Path) -> None:
    res = run_cli("docs", "search", str(manual_md), "--query", "acao", env=_home(tmp_path))
    assert res.returncode == 0, res.stderr
    first, excerpt = res.stdout.splitlines()[:2]
    assert first.startswith(f"1. {manual_md}, ") and "Configuração" in first
    assert "(score " in first
    assert "ação" in excerpt


def test_unreadable_files_are_reported_one_line_each(
    tmp_path: Path, guide_pdf: Path, manual_md: Path
) -> None:
    locked = write_pdf(tmp_path / "locked.pdf", [["secret lighthouse plans"]], encrypt_with="pw")
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    folder = tmp_path / "folder"
    folder.mkdir()
    missing = tmp_path / "missing.txt"
    res = run_cli(
        "docs", "search", str(locked), str(guide_pdf), str(garbage), str(folder), str(missing),
        str(manual_md), "--query", "lighthouse lens", "--json",
        env=_home(tmp_path),
    )  # fmt: skip
    assert res.returncode == 1
    errors = res.stderr.splitlines()
    assert len(errors) == 4, res.stderr
    assert all(e.startswith("lanterna-engine: error: ") for e in errors)
    assert "Traceback" not in res.stderr
    for name in ("locked.pdf", "garbage.pdf", "folder", "missing.txt"):
        assert sum(name in e for e in errors) == 1, (name, errors)
    # The readable files were still searched.
    hits = _json_lines(res.stdout)
    assert hits and hits[0]["file"] == str(guide_pdf)


def test_a_folder_is_searched_through_its_documents(
    tmp_path: Path, guide_pdf: Path, manual_md: Path
) -> None:
    folder = tmp_path / "library"
    (folder / "sub").mkdir(parents=True)
    guide_pdf.rename(folder / "sub" / "guide.pdf")
    manual_md.rename(folder / "manual.md")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff not a document")
    res = run_cli(
        "docs", "search", str(folder), "--query", "lighthouse lens", "--json", env=_home(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    hits = _json_lines(res.stdout)
    assert hits[0]["file"] == str(folder / "sub" / "guide.pdf") and hits[0]["page"] == 2
    assert {h["file"] for h in hits} <= {
        str(folder / "sub" / "guide.pdf"),
        str(folder / "manual.md"),
    }


def test_nothing_readable_is_an_error(tmp_path: Path) -> None:
    res = run_cli("docs", "search", str(tmp_path / "a.txt"), "--query", "x", env=_home(tmp_path))
    assert res.returncode == 1
    assert res.stderr.splitlines()[-1] == "lanterna-engine: error: none of the files could be read"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--k", "0"), "--k must be at least 1"), ((), "the query has no words")],
)
def test_bad_arguments(
    tmp_path: Path, manual_md: Path, args: tuple[str, ...], message: str
) -> None:
    query = "?!" if not args else "lens"
    res = run_cli("docs", "search", str(manual_md), "--query", query, *args, env=_home(tmp_path))
    assert res.returncode == 1
    assert res.stderr.startswith("lanterna-engine: error:") and message in res.stderr
    assert res.stderr.count("\n") == 1


def _indexed_at(tmp_path: Path) -> dict[str, float]:
    with sqlite3.connect(_cache(tmp_path)) as db:
        return dict(db.execute("SELECT path, indexed_at FROM documents").fetchall())


def test_the_cache_spares_reading_unchanged_files(
    tmp_path: Path, guide_pdf: Path, manual_md: Path
) -> None:
    args = ("docs", "search", str(guide_pdf), str(manual_md), "--query", "lens", "--json")
    first = run_cli(*args, env=_home(tmp_path))
    assert first.returncode == 0, first.stderr
    before = _indexed_at(tmp_path)
    assert set(before) == {str(guide_pdf), str(manual_md)}
    again = run_cli(*args, env=_home(tmp_path))
    assert again.stdout == first.stdout
    assert _indexed_at(tmp_path) == before  # nothing was read again
    manual_md.write_text("# Manual\n\nThe lens was cleaned.\n", encoding="utf-8")
    changed = run_cli(*args, env=_home(tmp_path))
    after = _indexed_at(tmp_path)
    assert after[str(guide_pdf)] == before[str(guide_pdf)]
    assert after[str(manual_md)] > before[str(manual_md)]
    assert str(manual_md) in {h["file"] for h in _json_lines(changed.stdout)}


def test_no_cache_leaves_nothing_behind(tmp_path: Path, manual_md: Path) -> None:
    res = run_cli(
        "docs", "search", str(manual_md), "--query", "deb", "--no-cache", env=_home(tmp_path)
    )
    assert res.returncode == 0, res.stderr
    assert "Linux" in res.stdout
    assert not _cache(tmp_path).exists()


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, manual_md: Path) -> None:
    _cache(tmp_path).parent.mkdir(parents=True)
    _cache(tmp_path).write_bytes(b"not a database" * 1000)
    res = run_cli("docs", "search", str(manual_md), "--query", "deb", env=_home(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "starting a new document cache" in res.stderr
    assert "Linux" in res.stdout


def test_a_real_pdf_manual(tmp_path: Path) -> None:
    if not MIME_SPEC.is_file():
        pytest.skip(f"{MIME_SPEC} is missing (Debian package shared-mime-info)")
    res = run_cli(
        "docs", "search", str(MIME_SPEC), "--json", "--k", "3",
        "--query", "In which byte order are the numbers in mime.cache stored?",
        env=_home(tmp_path),
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    hits = _json_lines(res.stdout)
    assert 13 in [h["page"] for h in hits]
