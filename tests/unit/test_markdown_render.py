"""Markdown answers to Qt rich text: what renders, what stays inert, and streaming in pieces."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.markdown_render import (
    COPY_SCHEME,
    Rendered,
    _lexer,
    _stable_cut,
    render_markdown,
    stable_prefix,
)

ROOT = Path(__file__).resolve().parents[2]

PYTHON_CODE = (
    "def check(a: int, b: int) -> bool:\n"
    '    """Compare <a> & <b>."""\n'
    "    if a < b and b > 0:\n"
    "        return a & b == 0  # bits\n"
    "\treturn False\n"
    "\n"
    "        \n"
    "x = '<script>'"
)


def _pre_texts(html: str) -> list[str]:
    """The text inside each <pre>, as Qt shows it (it drops one newline after <pre>)."""
    texts = []
    for body in re.findall(r"<pre[^>]*>(.*?)</pre>", html, flags=re.DOTALL):
        text = unescape(re.sub(r"<[^>]+>", "", body))
        texts.append(text[1:] if text.startswith("\n") else text)
    return texts


def _words(html: str) -> str:
    """The visible text of ``html`` with markup removed and whitespace collapsed."""
    inline = re.sub(r"</?(?:span|code|a|b|i|s)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _copy_links(html: str) -> list[int]:
    return [int(n) for n in re.findall(rf'href="{COPY_SCHEME}:(\d+)"', html)]


# ---------------------------------------------------------------------------- structure


def test_headings_emphasis_lists_and_tables() -> None:
    text = (
        "# Title\n\n### Small *title*\n\n"
        "Some **bold**, *italic*, ~~struck~~ words.\nSame paragraph.  \nAfter a hard break.\n\n"
        "- one\n- two\n  - nested\n\n"
        "3. three\n4. four\n\n"
        "| Left | Right | Mid |\n|:-----|------:|:---:|\n| a | 1 | **x** |\n\n"
        "> quoted\n\n---\n"
    )
    html = render_markdown(text).html
    assert "<h1>Title</h1>" in html
    assert "<h3>Small <i>title</i></h3>" in html
    assert "<b>bold</b>" in html and "<i>italic</i>" in html and "<s>struck</s>" in html
    assert "<br>" in html
    assert "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>" in html
    assert '<ol start="3"><li>three</li><li>four</li></ol>' in html
    assert '<table border="1" cellspacing="0" cellpadding="4"' in html
    assert '<th align="left">Left</th><th align="right">Right</th><th align="center">Mid</th>' in (
        html
    )
    assert '<td align="center"><b>x</b></td>' in html
    assert "<blockquote><p>quoted</p></blockquote>" in html
    assert "<hr>" in html
    # Nothing Qt would read as a style sheet hook, nor markdown-it's own attributes.
    assert "class=" not in html


def test_empty_answer_renders_nothing() -> None:
    assert render_markdown("") == Rendered("", ())
    assert render_markdown("  \n\n ") == Rendered("", ())


def test_inline_code_is_monospace_with_a_background_and_keeps_its_spaces() -> None:
    html = render_markdown("Run `a  <b> & c` now").html
    match = re.search(r'<code style="([^"]*)">(.*?)</code>', html)
    assert match is not None
    assert "background-color:#" in match.group(1)
    assert "white-space:pre-wrap" in match.group(1)
    assert match.group(2) == "a  &lt;b&gt; &amp; c"


def test_accented_text_passes_through_intact() -> None:
    text = (
        "## Configuração\n\nNão é difícil: a função `ação()` devolve «coração».\n\n"
        "¿Qué tal? El niño comió piña en el café — ¡olé!\n\n"
        "```python\nsaudação = 'ñandú çà'\n```"
    )
    rendered = render_markdown(text)
    for phrase in (
        "Configuração",
        "Não é difícil",
        "ação()",
        "«coração»",
        "¿Qué tal?",
        "El niño comió piña en el café — ¡olé!",
    ):
        assert phrase in rendered.html
    assert rendered.code_blocks == ("saudação = 'ñandú çà'",)
    assert "ñandú çà" in _pre_texts(rendered.html)[0]


# ---------------------------------------------------------------------------- code blocks


def test_code_block_is_highlighted_and_its_source_kept_exactly() -> None:
    rendered = render_markdown(f"Look:\n\n```python\n{PYTHON_CODE}\n```\n\nDone.")
    assert rendered.code_blocks == (PYTHON_CODE,)
    (shown,) = _pre_texts(rendered.html)
    assert shown == PYTHON_CODE  # indentation, tab, blank lines and <, & intact
    assert re.search(r'<span style="color:#[0-9A-Fa-f]{6}', rendered.html)
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert ">python</span>" in rendered.html  # the header names the language


def test_indented_code_and_tilde_fences_are_code_blocks_too() -> None:
    text = "Para.\n\n    indented <x>\n      more\n\n~~~\n  tilde & co\n~~~\n"
    rendered = render_markdown(text)
    assert rendered.code_blocks == ("indented <x>\n  more", "  tilde & co")
    assert _pre_texts(rendered.html) == list(rendered.code_blocks)


def test_leading_blank_line_of_a_code_block_survives() -> None:
    rendered = render_markdown("```\n\nfirst\n```")
    assert rendered.code_blocks == ("\nfirst",)
    assert "<pre" in rendered.html and ">\n\nfirst</pre>" in rendered.html


@pytest.mark.parametrize("info", ["", "no-such-language-xyz", "{.weird}"])
def test_unknown_or_missing_language_is_not_guessed(info: str) -> None:
    code = "def f():\n    return 1 < 2"
    rendered = render_markdown(f"```{info}\n{code}\n```")
    assert rendered.code_blocks == (code,)
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", rendered.html, flags=re.DOTALL)
    assert pre is not None
    assert pre.group(1) == "def f():\n    return 1 &lt; 2"  # escaped, no colour spans
    assert f">{info}</span>" in rendered.html


def test_language_names_are_case_insensitive_and_lexers_cached() -> None:
    upper = render_markdown("```Python\nx = 1\n```").html
    lower = render_markdown("```python\nx = 1\n```").html
    assert upper.replace(">Python<", ">python<") == lower
    assert _lexer("python") is _lexer("python")
    assert _lexer("no-such-language-xyz") is None


def test_copy_links_number_blocks_from_first_block() -> None:
    text = "```sh\necho one\n```\n\ntext\n\n```\ntwo\n```\n"
    assert _copy_links(render_markdown(text).html) == [0, 1]
    rendered = render_markdown(text, first_block=5)
    assert _copy_links(rendered.html) == [5, 6]
    assert rendered.code_blocks == ("echo one", "two")
    assert '">Copy</a>' in rendered.html
    assert '">Copiar</a>' in render_markdown(text, copy_label="Copiar").html


def test_dark_and_light_differ() -> None:
    text = "Use `x`.\n\n```python\nimport os  # comment\nprint('hi')\n```"
    light, dark = render_markdown(text).html, render_markdown(text, dark=True).html
    assert light != dark
    colors = re.compile(r"#[0-9A-Fa-f]{6}")
    assert set(colors.findall(light)) != set(colors.findall(dark))
    assert _words(light) == _words(dark)


# ---------------------------------------------------------------------------- what stays inert


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown(
        'Hi <script>alert("x")</script> and <b>bold</b>\n\n<div onclick="x()">block</div>'
    ).html
    assert "<script>" not in html and "<b>bold</b>" not in html and "<div" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;div onclick=" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
        "relative/page.html",
        "/absolute/path",
        "ftp://example.com/x",
    ],
)
def test_links_outside_the_web_are_plain_text(url: str) -> None:
    html = render_markdown(f"See [the page]({url}) now.").html
    assert "<a " not in html
    assert "the page" in html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&amp;c=2"),
        ("[site](http://example.com)", "http://example.com"),
        ("[mail](mailto:ana@example.com)", "mailto:ana@example.com"),
        ("<https://example.com/auto>", "https://example.com/auto"),
        ("<ana@example.com>", "mailto:ana@example.com"),
    ],
)
def test_web_links_become_anchors(source: str, href: str) -> None:
    html = render_markdown(source).html
    assert f'<a href="{href}"' in html


def test_images_are_never_loaded() -> None:
    html = render_markdown(
        "![a red cat](https://example.com/cat.png) and ![local](img/x.png) and "
        "![disk](file:///tmp/x.png) and "
        "[![nested](https://example.com/n.png)](https://example.com/page)"
    ).html
    assert "<img" not in html
    assert '<a href="https://example.com/cat.png">a red cat</a>' in html
    assert " local and " in html and "img/x.png" not in html
    assert '"file:' not in html  # markdown-it leaves that one as literal text
    # An image inside a link: the link stays, with the alt text, no anchor inside an anchor.
    assert '<a href="https://example.com/page">nested</a>' in html


# ---------------------------------------------------------------------------- stable_prefix


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("", None),
        ("Hello world", None),
        ("One line.\nStill the same paragraph", None),
        ("First paragraph.\n\nSecond", "Second"),
        ("A.\n\nB.\n\nC is streaming", "C is"),
        ("A\r\n\r\nB", "B"),
        # An open fence: everything from it on is unfinished.
        ("Intro.\n\n```python\nx = 1\n\ny = 2", "```python"),
        ("Intro.\n```python\nx = 1\n\ny = 2", None),
        # A closed fence followed by a blank line.
        ("Intro.\n\n```python\nx = 1\n\ny = 2\n```\n\nAfter", "After"),
        ("~~~\na\n\nb\n~~~\n\nc", "c"),
        # A fence closes only with its own character, at least as long.
        ("Intro.\n\n~~~\n```\n\nstill code", "~~~"),
        ("Intro.\n\n````\n```\n\nstill code", "````"),
        # Fences inside list items and block quotes count too.
        ("1. Step\n\n   ```bash\n   echo hi\n\n   ```\n\n2. Next\n", "2. Next"),
        ("1. Step\n\n   ```bash\n   echo hi\n\n   more", "1. Step"),
        ("> ```\n> a\n\nx\n\n> b", "> b"),
        # Three backticks inside a line are a code span, not a fence.
        ("Use ```x``` here.\n\nNext", "Next"),
        # An indented line after a blank one may continue the block above: not a cut.
        ("- item\n\n  continued", None),
        ("1. item\n\n    more of the item", None),
        ("    code\n\n    more code", None),
        # A closing fence outdented out of its list item opens a new fence instead.
        ("1. Run:\n   ```bash\n   make\n```\n\nDone.", None),
        # Items of a top-level list are cut points; nested items are not.
        ("- a\n\n- b\n\n  - c\n\n  - d", "- b"),
        ("3. a\n\n4. b\n\n   5. c\n", "4. b"),
        # Items all numbered "1." show 1, 2, 3: rendered apart they would all show 1.
        ("1. a\n\n1. b\n\n1. c\n", None),
        ("1. a\n\n1. b\n\nAfter", "After"),
    ],
)
def test_stable_prefix(text: str, marker: str | None) -> None:
    expected = 0 if marker is None else text.rindex(marker)
    assert stable_prefix(text) == expected


def test_stable_prefix_resumes_only_where_the_text_is_the_same() -> None:
    first = "Para one.\n\nPara two.\n\nThree"
    assert stable_prefix(first) == first.index("Three")
    # Another text whose start differs is parsed afresh, not from the remembered cut.
    other = "```\nPara one.\n\nPara two.\n\nThree"
    assert stable_prefix(other) == 0
    assert stable_prefix(first + " and more\n\nFour") == len(first + " and more\n\n")


def test_blank_line_counts_once_the_next_block_has_begun() -> None:
    # Until the next line starts, it might be indented and belong to the list item above.
    assert stable_prefix("1. item\n\n") == 0
    assert stable_prefix("1. item\n\n ") == 0
    assert stable_prefix("1. item\n\nNext") == len("1. item\n\n")
    # A digit may begin the next item, or its number may turn out wrong: wait for the line.
    assert stable_prefix("1. item\n\n2") == 0
    assert stable_prefix("1. item\n\n2. next") == 0
    assert stable_prefix("1. item\n\n2. next\n") == len("1. item\n\n")
    assert stable_prefix("Intro.\n\n2024 was a year") == 0
    assert stable_prefix("Para.\n\n```\nx\n```\n\n") == len("Para.\n\n")


SAMPLES = [
    # Paragraphs, headings, a list and a code fence with a blank line inside.
    "## Installing\n\nFirst make a virtual environment:\n\n```bash\npython -m venv .venv\n\n"
    "source .venv/bin/activate\n```\n\nThen:\n\n- install the package\n- run `lanterna`\n\n"
    "That's **all**.",
    # A loose ordered list whose items are cut apart, with code between the items.
    "Steps:\n\n1. Clone the repository.\n\n2. Build it:\n\n   ```sh\n   make  -j8\n   ```\n\n"
    "3. Run the tests.\n\n4. Celebrate.\n",
    # Tables and a block quote.
    "| Model | Size |\n|-------|-----:|\n| gpt-oss-20b | 12 GB |\n| gemma | 0.3 GB |\n\n"
    "> Note: sizes are\n> approximate.\n\n> Second quote.\n\n---\n\nEnd.",
    # Portuguese and Spanish, nested lists, an indented continuation and an unclosed fence.
    "# Resposta\n\nA função é **simples**:\n\n- primeiro item\n\n  continuação do item\n\n"
    "- segundo item\n  - aninhado\n\n¿Y en español? Sí, también: *niño*, *piña*.\n\n"
    "```python\ndef ação():\n    return 'olá'\n",
    # Headings straight after fences, indented code, tildes.
    "```\nraw\n```\n# Heading\n\n    indented code\n\n    still code\n\n~~~js\nlet a = 1 < 2;\n"
    "~~~\n\nText with [a link](https://example.com) and ![img](https://example.com/i.png).",
]


def _stream(text: str, step: int = 1) -> list[Rendered]:
    """Render ``text`` as a view does while it streams in: frozen pieces, then the tail."""
    pieces: list[Rendered] = []
    frozen = blocks = 0
    for n in [*range(1, len(text), step), len(text)]:
        cut = stable_prefix(text[:n])
        assert cut >= frozen, "the stable prefix never shrinks as text arrives"
        assert cut == _stable_cut(text[:n]), "resuming from the last cut changes nothing"
        if cut > frozen:
            piece = render_markdown(text[frozen:cut], first_block=blocks)
            pieces.append(piece)
            blocks += len(piece.code_blocks)
            frozen = cut
    pieces.append(render_markdown(text[frozen:], first_block=blocks))
    return pieces


def _assert_same_as_whole(text: str, pieces: list[Rendered]) -> None:
    whole = render_markdown(text)
    html = "".join(p.html for p in pieces)
    assert _words(html) == _words(whole.html)
    assert tuple(c for p in pieces for c in p.code_blocks) == whole.code_blocks
    assert _copy_links(html) == _copy_links(whole.html) == list(range(len(whole.code_blocks)))
    assert _pre_texts(html) == _pre_texts(whole.html)


@pytest.mark.parametrize("text", SAMPLES)
def test_streaming_in_pieces_renders_the_same_as_whole(text: str) -> None:
    pieces = _stream(text)
    assert len(pieces) >= 3, "the sample really is rendered in pieces"
    _assert_same_as_whole(text, pieces)


_WORD = st.sampled_from(["alpha", "beta", "ação", "niño", "`code`", "**bold**", "*it*", "x<y"])
_LINE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_CODE = st.lists(
    st.sampled_from(["x = 1", "    indented", "", "a < b & c", "\tTab", "  # note"]),
    min_size=1,
    max_size=4,
).map("\n".join)
_BLOCK = st.one_of(
    _LINE,
    _LINE.map(lambda s: "## " + s),
    st.lists(_LINE, min_size=1, max_size=3).map(lambda items: "\n".join("- " + i for i in items)),
    st.tuples(st.integers(1, 9), _LINE).map(lambda t: f"{t[0]}. {t[1]}"),
    st.tuples(_LINE, _LINE).map(lambda t: f"- {t[0]}\n\n  {t[1]}"),
    st.tuples(st.sampled_from(["```", "```python", "~~~", "```nosuchlang"]), _CODE).map(
        lambda t: f"{t[0]}\n{t[1]}\n{t[0][:3]}"
    ),
    st.tuples(_LINE, _CODE).map(lambda t: f"1. {t[0]}\n\n   ```\n   {t[1]}\n   ```"),
    # Models misindent fences in lists: the closing fence leaves the item.
    st.tuples(_LINE, _CODE).map(lambda t: f"2. {t[0]}\n   ```sh\n{t[1]}\n```"),
    st.tuples(_LINE, _LINE).map(lambda t: f"> ```\n> {t[0]}\n\n{t[1]}"),
    st.tuples(_LINE, _LINE).map(lambda t: f"| a | b |\n|---|---|\n| {t[0]} | {t[1]} |"),
    _LINE.map(lambda s: "> " + s),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_BLOCK, st.sampled_from(["\n\n", "\n\n\n", "\n"])), min_size=1, max_size=6)
)
def test_streaming_any_mix_of_blocks_renders_the_same(blocks: list[tuple[str, str]]) -> None:
    text = "".join(block + sep for block, sep in blocks)
    _assert_same_as_whole(text, _stream(text, step=3))


# ---------------------------------------------------------------------------- Qt and cost


def _qt_blocks(html: str) -> list[str]:
    """Qt's view of ``html``: each non-empty paragraph, with its list number if it has one."""
    from PySide6.QtGui import QTextDocument, QTextList

    doc = QTextDocument()
    doc.setHtml(html)
    lines = []
    block = doc.begin()
    while block.isValid():
        # Not block.textList(): on a block outside a list, PySide6 returns None one reference
        # short, and enough calls free None itself and crash the interpreter.
        index = block.blockFormat().objectIndex()
        items = doc.object(index) if index >= 0 else None
        prefix = items.itemText(block) if isinstance(items, QTextList) else ""
        if block.text().strip():
            lines.append(f"{prefix} {block.text()}" if prefix else block.text())
        block = block.next()
    return lines


def test_qt_shows_pieces_like_the_whole(qapp: object) -> None:
    for text in SAMPLES:
        whole = _qt_blocks(render_markdown(text).html)
        assert _qt_blocks("".join(p.html for p in _stream(text))) == whole
    # Qt honours <ol start>, so an ordered list cut at a blank line keeps its numbers.
    pieces = _stream(SAMPLES[1])
    assert any('<ol start="3">' in piece.html for piece in pieces)
    steps = _qt_blocks("".join(piece.html for piece in pieces))
    assert "make  -j8" in steps
    assert [line for line in steps if line[:2] in ("1.", "2.", "3.", "4.")] == [
        "1. Clone the repository.",
        "2. Build it:",
        "3. Run the tests.",
        "4. Celebrate.",
    ]
    # The code keeps its spaces, tab and blank lines in Qt's own text.
    code = _qt_blocks(render_markdown(f"```python\n{PYTHON_CODE}\n```").html)
    assert "    if a < b and b > 0:" in code and "\treturn False" in code
    assert "        return a & b == 0  # bits" in code


def test_import_is_cheap_and_free_of_qt() -> None:
    code = (
        "import sys\nimport desktop.markdown_render\n"
        "heavy = ('PySide6', 'shiboken6', 'pygments', 'markdown_it')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ""


def test_a_long_answer_renders_in_milliseconds() -> None:
    para = "Some *prose* with `code` and a [link](https://example.com), ação. " * 9
    code = "def f(x: int) -> int:\n    return x * 2  # twice\n" * 15
    text = (
        f"## Title\n\n{para}\n\n```python\n{code}```\n\n- one\n- two\n\n{para}\n\n"
        f"| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\n{code}```\n\n{para}\n\n{para}"
    )
    assert 3500 <= len(text) <= 4500
    render_markdown(text)  # lexers and the parser load once
    timings = []
    for run in range(5):
        # A new answer each time: highlighted code is cached, and the point is to lex it.
        answer = text.replace("# twice", f"# run {run}")
        start = time.perf_counter()
        rendered = render_markdown(answer, dark=run % 2 == 1)
        timings.append(time.perf_counter() - start)
    assert len(rendered.code_blocks) == 2
    # A few milliseconds on a desktop; the bound leaves room for slow, busy CI machines.
    assert min(timings) < 0.05
