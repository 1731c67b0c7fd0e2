"""Real documents, written by others, for the retrieval tests and the index benchmark.

They come from Debian packages, read where the packages put them; nothing is downloaded:

- ``python3-doc`` (Debian 12: ``python3.11-doc``): the reStructuredText sources of Python's
  documentation under ``/usr/share/doc/python3.11/html/_sources``. The tutorial (one document
  of all its chapters), ``sqlite3`` and ``argparse`` are in the question set; all of it feeds
  the benchmark.
- ``base-files``: ``/usr/share/common-licenses`` (the GPL-3 is in the question set).
- ``apt``: its manual pages translated into Portuguese (``apt-get(8)``) and Spanish
  (``apt-cache(8)``), rendered by ``man`` (``man-db``).
- ``shared-mime-info`` and ``libtasn1-doc``: two PDF manuals (17 and 36 pages), read by the
  application's own extraction (``engine.documents.extract``), one section per page.

The other texts are turned into an :class:`ExtractedDocument` here, headings as sections — the
shape extraction gives formats with headings but no pages. reStructuredText headings are read from
their underlines; roles and literals (``:func:`open```, ````x````) become their text, as they
would in the rendered page. Manual pages are split at their section titles and at each tagged
paragraph (a command or an option), the GPL at its centred titles and numbered sections.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.documents.model import ExtractedDocument, Section

PYTHON_DOC_PACKAGE = "python3-doc"
LICENSES = Path("/usr/share/common-licenses")
MAN = Path("/usr/share/man")

HEADING_SEP = " › "

# The tutorial's chapters in the order of its table of contents (tutorial/index).
TUTORIAL_CHAPTERS = (
    "appetite", "interpreter", "introduction", "controlflow", "datastructures", "modules",
    "inputoutput", "errors", "classes", "stdlib", "stdlib2", "venv", "whatnow", "interactive",
    "floatingpoint", "appendix",
)  # fmt: skip


class MissingDocuments(Exception):
    """The documents are not installed here; the message says which package brings them."""


def python_doc_sources() -> Path:
    """The Python documentation sources (python3-doc), preferring this Python's version."""
    candidates = [Path("/usr/share/doc/python3.11/html/_sources")]
    candidates += sorted(Path("/usr/share/doc").glob("python3.*/html/_sources"), reverse=True)
    for path in candidates:
        if (path / "tutorial" / "classes.rst.txt").is_file():
            return path
    raise MissingDocuments(
        f"Python's documentation is not installed (Debian package {PYTHON_DOC_PACKAGE})"
    )


# reStructuredText


_ADORNMENT = re.compile(r"^([=\-~^\"*#+`:'_.])\1{2,}\s*$")
_ROLE = re.compile(r":[\w.:+-]+:`([^`]*)`")
_LITERAL = re.compile(r"``(.+?)``")
_LINK = re.compile(r"`([^`<]*?)\s*<[^`>]*>`_{1,2}")
_REF = re.compile(r"`([^`]+)`_{1,2}")
_DIRECTIVE = re.compile(r"^(\s*)\.\. ([\w:-]+)::\s?(.*)$")
_COMMENT = re.compile(r"^\s*\.\.(\s|$)")
_OPTION_ONLY = re.compile(r"^\s*:(noindex|hide|synopsis|platform|no-typesetting):")  # not shown
_HIDDEN_DIRECTIVES = {"index", "toctree", "sectionauthor", "moduleauthor", "highlight",
                      "testsetup", "testcleanup", "currentmodule", "module", "audit-event"}


def _role_text(m: re.Match[str]) -> str:
    inner = m.group(1)
    target = re.match(r"(.*?)\s*<[^>]*>$", inner)  # :ref:`text <label>` shows "text"
    if target and target.group(1):
        inner = target.group(1)
    return inner.lstrip("~!")


def clean_rst_inline(text: str) -> str:
    text = _ROLE.sub(_role_text, text)
    text = _LITERAL.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    return _REF.sub(r"\1", text)


def _clean_title(text: str) -> str:
    # Titles are never literal blocks, so their backslash escapes ("\\*") can be resolved;
    # in the body they may be code ('\\n') and are left alone.
    return re.sub(r"\\(\S)", r"\1", clean_rst_inline(text))


def _clean_rst_body(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        m = _DIRECTIVE.match(line)
        if m:
            # A directive's argument is visible text (a function's signature, a note's title);
            # index entries, labels and the like are not.
            if m.group(2) not in _HIDDEN_DIRECTIVES and m.group(3):
                out.append(m.group(1) + clean_rst_inline(m.group(3)))
            continue
        if _COMMENT.match(line) or _OPTION_ONLY.match(line):
            continue
        out.append(clean_rst_inline(line))
    return "\n".join(out).strip("\n")


@dataclass
class _RstSection:
    level: int
    title: str
    body: list[str]


def _rst_sections(text: str) -> list[_RstSection]:
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []  # heading styles in order of first use = levels
    sections = [_RstSection(-1, "", [])]
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        after = lines[i + 2] if i + 2 < len(lines) else ""
        style: tuple[str, bool] | None = None
        if _ADORNMENT.match(line) and nxt.strip() and _ADORNMENT.match(after) and (
            after[0] == line[0]
        ):
            style, title, i = (line[0], True), nxt.strip(), i + 3
        elif (
            line.strip()
            and not line[0].isspace()
            and not _ADORNMENT.match(line)
            and _ADORNMENT.match(nxt)
            and len(nxt.rstrip()) >= len(line.rstrip())
            and (i == 0 or not lines[i - 1].strip())
        ):
            style, title, i = (nxt[0], False), line.strip(), i + 2
        if style is None:
            sections[-1].body.append(line)
            i += 1
            continue
        if style not in styles:
            styles.append(style)
        sections.append(_RstSection(styles.index(style), _clean_title(title), []))
    return sections


def _with_paths(sections: list[_RstSection], prefix: tuple[str, ...]) -> Iterator[Section]:
    stack: list[str] = []
    for s in sections:
        if s.level >= 0:
            stack = [*stack[: s.level], s.title]
        body = _clean_rst_body(s.body)
        if not body.strip():
            continue
        path = (*prefix, *stack)
        yield Section(text=body, heading=HEADING_SEP.join(path) if path else None)


def rst_document(path: Path, *, kind: str = "rst") -> ExtractedDocument:
    """One reST file; its single top heading is the title and is left out of the paths."""
    sections = _rst_sections(path.read_text(encoding="utf-8"))
    tops = [s for s in sections if s.level == 0]
    title = tops[0].title if tops else path.stem
    if len(tops) == 1:
        for s in sections:
            s.level -= 1
        sections = [s if s.level >= 0 else _RstSection(-1, "", s.body) for s in sections]
    return ExtractedDocument(
        path=str(path),
        kind=kind,
        title=title,
        sections=tuple(_with_paths(sections, ())),
        pages=None,
        size=path.stat().st_size,
    )


def python_tutorial() -> ExtractedDocument:
    """The Python Tutorial, every chapter in one document; chapter titles head the paths."""
    root = python_doc_sources() / "tutorial"
    sections: list[Section] = []
    size = 0
    for name in TUTORIAL_CHAPTERS:
        path = root / f"{name}.rst.txt"
        size += path.stat().st_size
        sections += _rst_sections_as_chapter(path)
    return ExtractedDocument(
        path=str(root), kind="rst", title="The Python Tutorial", sections=tuple(sections),
        pages=None, size=size,
    )  # fmt: skip


def _rst_sections_as_chapter(path: Path) -> list[Section]:
    return list(_with_paths(_rst_sections(path.read_text(encoding="utf-8")), ()))


def python_library(name: str) -> ExtractedDocument:
    """A page of the library reference, e.g. "sqlite3"."""
    return rst_document(python_doc_sources() / "library" / f"{name}.rst.txt")


# Plain-text licences


_NUMBERED = re.compile(r"^  (\d+)\. (\S.*)$")


def gpl3() -> ExtractedDocument:
    """The GPL-3 of base-files: centred titles and numbered sections as headings."""
    path = LICENSES / "GPL-3"
    if not path.is_file():
        raise MissingDocuments(f"{path} is missing (Debian package base-files)")
    lines = path.read_text(encoding="utf-8").splitlines()
    title = lines[0].strip()
    top: str | None = None
    heading: str | None = None
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip("\n")
        if text.strip():
            sections.append(Section(text=text, heading=heading))
        body.clear()

    for i, line in enumerate(lines):
        centred = (
            i > 1
            and len(line) - len(line.lstrip()) >= 8
            and len(line.strip()) < 60
            and not lines[i - 1].strip()
            and (i + 1 == len(lines) or not lines[i + 1].strip())
        )
        numbered = _NUMBERED.match(line)
        if centred:
            flush()
            top = line.strip()
            heading = top
        elif numbered:
            flush()
            heading = HEADING_SEP.join(filter(None, (top, f"{numbered[1]}. {numbered[2]}")))
        else:
            body.append(line)
    flush()
    return ExtractedDocument(
        path=str(path), kind="text", title=title, sections=tuple(sections), pages=None,
        size=path.stat().st_size,
    )  # fmt: skip


# Manual pages


def render_man(path: Path) -> str:
    """The page as ``man`` prints it to a pipe: plain text, 100 columns, no hyphenation."""
    man = shutil.which("man")
    if man is None:
        raise MissingDocuments("the man command is not installed (Debian package man-db)")
    env = {**os.environ, "MANWIDTH": "100", "MANPAGER": "cat", "PAGER": "cat",
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}  # fmt: skip
    res = subprocess.run(
        [man, "--nh", "--nj", "-l", str(path)],
        capture_output=True, text=True, env=env, check=False, timeout=60,
    )  # fmt: skip
    if res.returncode != 0 or not res.stdout.strip():
        raise MissingDocuments(f"man could not render {path}: {res.stderr.strip()[:200]}")
    return res.stdout


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def man_document(path: Path) -> ExtractedDocument:
    """A manual page: section titles (NAME…) and tagged paragraphs (commands, options)."""
    if not path.is_file():
        raise MissingDocuments(f"{path} is missing (Debian package apt)")
    lines = render_man(path).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    lines = lines[1:-1]  # the running header and footer
    section: str | None = None
    sub: str | None = None
    item: str | None = None
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        text = "\n".join(body).strip("\n")
        if text.strip():
            heading = HEADING_SEP.join(x for x in (section, sub, item) if x)
            sections.append(Section(text=text, heading=heading or None))
        body.clear()

    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _indent(line) == 0:
            flush()
            section, sub, item = line.strip(), None, None
        elif line.strip() and _indent(line) == 3:
            flush()
            sub, item = line.strip(), None
        elif (
            _indent(line) == 7
            and line.strip()
            and len(line.strip()) < 70
            and nxt.strip()
            and _indent(nxt) > 7
            and (i == 0 or not lines[i - 1].strip())
        ):
            flush()
            item = line.strip()
        else:
            body.append(line)
    flush()
    name = path.name.split(".")[0]
    return ExtractedDocument(
        path=str(path), kind="man", title=f"{name}({path.name.split('.')[1]})",
        sections=tuple(sections), pages=None, size=path.stat().st_size,
    )  # fmt: skip


# The question set's documents


_PYDOC = "python3-doc: /usr/share/doc/python3.11/html/_sources"
QUESTION_DOCUMENTS = {
    "python-tutorial": f"{_PYDOC}/tutorial/*.rst.txt",
    "python-sqlite3": f"{_PYDOC}/library/sqlite3.rst.txt",
    "python-argparse": f"{_PYDOC}/library/argparse.rst.txt",
    "gpl-3": "base-files: /usr/share/common-licenses/GPL-3",
    "apt-get-pt": "apt: /usr/share/man/pt/man8/apt-get.8.gz",
    "apt-cache-es": "apt: /usr/share/man/es/man8/apt-cache.8.gz",
    "mime-spec-pdf": "shared-mime-info: /usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
    "libtasn1-pdf": "libtasn1-doc: /usr/share/doc/libtasn1-doc/libtasn1.pdf",
}  # fmt: skip

# The PDFs go through the application's own extraction, pages as sections.
QUESTION_PDFS = {
    "mime-spec-pdf": (Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
                      "shared-mime-info"),
    "libtasn1-pdf": (Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"), "libtasn1-doc"),
}  # fmt: skip


def question_documents() -> dict[str, ExtractedDocument]:
    """The documents of tests/data/documents/questions.jsonl, by their id there.

    Raises MissingDocuments naming every package whose files are missing.
    """
    from engine.documents.extract import extract

    missing = [package for path, package in QUESTION_PDFS.values() if not path.is_file()]
    try:
        python_doc_sources()
    except MissingDocuments:
        missing.append(PYTHON_DOC_PACKAGE)
    if missing:
        raise MissingDocuments(f"install the Debian packages {', '.join(missing)}")
    docs = {
        "python-tutorial": python_tutorial(),
        "python-sqlite3": python_library("sqlite3"),
        "python-argparse": python_library("argparse"),
        "gpl-3": gpl3(),
        "apt-get-pt": man_document(MAN / "pt" / "man8" / "apt-get.8.gz"),
        "apt-cache-es": man_document(MAN / "es" / "man8" / "apt-cache.8.gz"),
    }
    for name, (path, _package) in QUESTION_PDFS.items():
        docs[name] = extract(path)
    return docs


# The benchmark's corpus


def _gunzip_text(path: Path) -> str | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError, EOFError):
        return None


def plain_document(path: Path, text: str, kind: str = "text") -> ExtractedDocument:
    """A text with no structure: one section, no heading."""
    return ExtractedDocument(
        path=str(path), kind=kind, title=path.name, sections=(Section(text=text),),
        pages=None, size=len(text.encode()),
    )  # fmt: skip


def question_sources() -> set[Path]:
    """The files the question set's documents are made from (to keep copies out of a corpus)."""
    try:
        root = python_doc_sources()
    except MissingDocuments:
        return {LICENSES / "GPL-3"}
    tutorial = {root / "tutorial" / f"{name}.rst.txt" for name in TUTORIAL_CHAPTERS}
    library = {root / "library" / f"{name}.rst.txt" for name in ("sqlite3", "argparse")}
    return tutorial | library | {LICENSES / "GPL-3"}


def corpus(exclude: set[Path] | None = None) -> Iterator[ExtractedDocument]:
    """Every real text found: Python's documentation, the licences, Debian changelogs."""
    skip = exclude or set()
    try:
        sources = python_doc_sources()
    except MissingDocuments:
        pass
    else:
        for path in sorted(sources.rglob("*.rst.txt")):
            if path not in skip:
                yield rst_document(path)
    for path in sorted(LICENSES.iterdir()) if LICENSES.is_dir() else []:
        if path.is_file() and not path.is_symlink() and path not in skip:
            yield plain_document(path, path.read_text(encoding="utf-8", errors="replace"))
    for path in sorted(Path("/usr/share/doc").glob("*/changelog.Debian.gz")):
        text = _gunzip_text(path)
        if text:
            yield plain_document(path, text, kind="changelog")
