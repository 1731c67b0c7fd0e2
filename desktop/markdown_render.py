"""Chat answers written in Markdown, turned into the HTML subset Qt's rich-text engine draws.

Models answer in Markdown (CommonMark plus GitHub's tables and strikethrough). A ``QLabel`` or
``QTextDocument`` understands only part of HTML 4 and a little CSS, so the HTML is written here
token by token instead of taken from markdown-it's own renderer: only tags Qt knows, colours as
inline styles (Qt ignores most class-based style sheets in rich text), tables with presentational
attributes.

What the model wrote is never trusted:

* raw HTML is off, so ``<script>`` or ``<b>`` typed by the model shows as literal text;
* only ``http``, ``https`` and ``mailto`` links become anchors, anything else (``javascript:``,
  ``file:``, ``data:``, relative paths) stays plain text;
* images are never loaded — an image shows as its alt text, linked to the image's address when
  that is an http(s) URL, so the user decides whether to open it.

Code blocks are highlighted with Pygments (inline colours, no CSS classes) when the fence names a
language Pygments knows; no lexer is guessed from the content, which is slow and often wrong.
Each block gets a header with its language and a ``copy:N`` link; the view copies
``code_blocks[N - first_block]`` of the render that produced it.

Streaming: :func:`stable_prefix` says which part of a growing answer is made of finished blocks,
so a view renders that part once and re-renders only the tail as tokens arrive. Rendering
``text[:k]`` and then ``text[k:]`` (with ``first_block`` continuing the count) shows the same
content as rendering ``text`` at once. Known differences, all cosmetic: a list split at a blank
line becomes two lists (an ordered one keeps its numbering through ``<ol start>``, which Qt
honours) and loses the "loose" spacing of the whole; a blockquote split at a blank line becomes
two blockquotes; a link reference definition (``[x]: https://...``) only serves references in
its own piece.

What Qt's rich text does not do, and how the HTML works around it:

* a ``<pre>`` background is painted only behind its lines, with no padding: a code block is a
  one-cell-wide table whose ``bgcolor`` makes the box;
* runs of spaces collapse everywhere but in ``<pre>``, ``<code>`` included: inline code carries
  ``white-space:pre-wrap``;
* a label cannot scroll sideways, so long code lines wrap (``pre-wrap``) rather than be cut off;
* no borders on blocks: a blockquote is only indented;
* anchors take the widget palette's link colour, except the Copy link, which sits on the code
  box and gets a colour chosen for it.

Nothing here imports Qt, and the Markdown parser and Pygments load on first use, so importing the
module is cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it import MarkdownIt
    from markdown_it.token import Token

COPY_SCHEME = "copy"

# Schemes that may become clickable anchors; everything else renders as text.
_SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_HTTP_LINK = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    """HTML for Qt rich text, and the raw source of each code block in it, in order."""

    html: str
    code_blocks: tuple[str, ...]


@dataclass(frozen=True)
class _Colors:
    pygments_style: str
    code_bg: str  # the code box; matches the chat theme's code colour
    code_fg: str  # text the style leaves uncoloured inside the code box
    inline_code_bg: str
    muted: str  # the language name in a code block's header
    link: str  # the Copy link, drawn on the code box rather than on the message


# Both styles keep every token colour at about 4:1 contrast or better on their code background
# (only whitespace tokens are fainter, and those are not drawn).
_LIGHT = _Colors(
    pygments_style="default",
    code_bg="#f1eee8",
    code_fg="#1f1d1a",
    inline_code_bg="#ece8e1",
    muted="#625c53",
    link="#1a5bb0",
)
_DARK = _Colors(
    pygments_style="github-dark",
    code_bg="#2c2a27",
    code_fg="#e6edf3",
    inline_code_bg="#3a3733",
    muted="#aaa397",
    link="#8ab8ff",
)


def render_markdown(
    text: str, *, dark: bool = False, first_block: int = 0, copy_label: str = "Copy"
) -> Rendered:
    """Render ``text`` to Qt rich-text HTML.

    ``first_block`` is the global number of this render's first code block: the copy links read
    ``copy:first_block``, ``copy:first_block + 1``… so a message rendered in pieces numbers its
    blocks across the whole message. ``copy_label`` is the (translated) text of those links.
    """
    if not text.strip():
        return Rendered("", ())
    renderer = _Renderer(_DARK if dark else _LIGHT, first_block, copy_label)
    renderer.blocks(_parser().parse(text))
    return Rendered("".join(renderer.out), tuple(renderer.code_blocks))


def stable_prefix(text: str) -> int:
    """The offset up to which ``text`` is made of finished Markdown blocks (0 if none).

    That is the start of the last block that follows a blank line, outside any fenced code
    block: everything before it has ended, and nothing appended later can change it. A fence
    opened with ``` or ~~~ and not closed yet makes everything from it on unfinished.

    "Block" means what the parser itself sees, so fences inside list items and block quotes,
    fences closed because their list item or quote ended, and indented continuations are all
    judged exactly as :func:`render_markdown` will judge them:

    * a cut falls at a top-level block or at an item of a top-level list; rendered apart, the
      rest of an ordered list starts at its item's own number (``<ol start>``), so a cut only
      falls at an ordered item whose number is the one the whole list would show there ("1.",
      "1.", "1." numbered by the renderer is not cut);
    * an indented line after a blank line that still belongs to the block above (a list item's
      second paragraph, more of an indented code block) is not a cut;
    * a blank line alone is not enough: the cut counts once the next block has begun, because
      until then the next line might be indented and belong to the block above; a line that
      starts with a digit counts once it has ended, since only then is it known whether it is
      the next item of an ordered list, and with which number.

    Every line before a cut has ended, so the result never decreases as text is appended. The
    last cut is remembered, and a longer text that starts the same way is parsed from there
    only: the cost of a call follows the unfinished tail, not the whole answer.
    """
    global _last_cut
    key, base = _last_cut
    if not (base and text.startswith(key)):
        base = 0
    cut = base + _stable_cut(text[base:])
    if cut:
        # The cut holds for any text with the same start, down to the part of the line after
        # the cut seen so far: whether that line begins a block of its own is already decided.
        line_end = _LINE_END.search(text, cut)
        _last_cut = (text[: line_end.end() if line_end else len(text)], cut)
    return cut


# The text that decided the last cut found, and that cut.
_last_cut: tuple[str, int] = ("", 0)
# Line ends as the parser counts them (it reads \r\n and a lone \r as \n).
_LINE_END = re.compile(r"\r\n?|\n")


def _stable_cut(text: str) -> int:
    """:func:`stable_prefix` computed from scratch."""
    starts: set[int] = set()
    expected = 0  # the number the next item of the current top-level ordered list would show
    for token in _block_parser().parse(text):
        if token.map is None or token.nesting < 0:
            continue
        if token.level == 0:
            starts.add(token.map[0])
            if token.type == "ordered_list_open":
                expected = int(token.attrGet("start") or 1)
        elif token.level == 1 and token.type == "list_item_open":
            if not token.info or int(token.info) == expected:
                starts.add(token.map[0])
            expected += 1
    offsets = [0, *(m.end() for m in _LINE_END.finditer(text))]
    for line in sorted(starts, reverse=True):
        if line == 0:
            break
        start = offsets[line]
        if text[offsets[line - 1] : start].strip(" \t\r\n"):
            continue  # not after a blank line
        if text[start:].lstrip(" \t")[:1].isdigit() and line + 1 >= len(offsets):
            continue  # a digit starts a line that has not ended yet
        return start
    return 0


# ---------------------------------------------------------------------------- parsing

_PARSER: MarkdownIt | None = None
_BLOCK_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return _PARSER


def _block_parser() -> MarkdownIt:
    """The same block rules as :func:`_parser`, without inline parsing (half the work)."""
    global _BLOCK_PARSER
    if _BLOCK_PARSER is None:
        from markdown_it import MarkdownIt

        parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
        _BLOCK_PARSER = parser.disable("inline")
    return _BLOCK_PARSER


# Block tokens whose tag is written as is (paragraphs are handled apart: tight lists hide them).
_PLAIN_BLOCK_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "li", "blockquote", "thead", "tbody", "tr"}
)
_INLINE_TAGS = {"em": "i", "strong": "b", "s": "s"}
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


class _Renderer:
    def __init__(self, colors: _Colors, first_block: int, copy_label: str) -> None:
        self.colors = colors
        self.first_block = first_block
        self.copy_label = copy_label
        self.out: list[str] = []
        self.code_blocks: list[str] = []
        self.links: list[bool] = []  # per open link: whether it became an anchor

    # -- blocks

    def blocks(self, tokens: Sequence[Token]) -> None:
        out = self.out
        for token in tokens:
            kind, tag = token.type, token.tag
            if kind == "inline":
                self.inline(token.children or [])
            elif kind in ("fence", "code_block"):
                self.code_block(token)
            elif kind in ("paragraph_open", "paragraph_close"):
                if not token.hidden:
                    out.append("<p>" if token.nesting == 1 else "</p>")
            elif kind == "ordered_list_open":
                start = token.attrGet("start")
                out.append(f'<ol start="{int(start)}">' if start is not None else "<ol>")
            elif kind == "table_open":
                out.append(
                    '<table border="1" cellspacing="0" cellpadding="4"'
                    ' style="border-collapse:collapse; margin-top:6px; margin-bottom:6px">'
                )
            elif kind in ("th_open", "td_open"):
                align = _ALIGN.search(str(token.attrGet("style") or ""))
                out.append(f'<{tag} align="{align.group(1)}">' if align else f"<{tag}>")
            elif kind == "hr":
                out.append("<hr>")
            elif kind == "html_block":  # only if raw HTML were enabled: keep it inert anyway
                out.append(f"<p>{_text(token.content)}</p>")
            elif tag in _PLAIN_BLOCK_TAGS or tag in ("ol", "table", "th", "td"):
                out.append(f"<{tag}>" if token.nesting == 1 else f"</{tag}>")

    def code_block(self, token: Token) -> None:
        code = token.content[:-1] if token.content.endswith("\n") else token.content
        language = ""
        if token.type == "fence":
            from markdown_it.common.utils import unescapeAll

            words = unescapeAll(token.info).split()
            language = words[0][:40] if words else ""
        number = self.first_block + len(self.code_blocks)
        self.code_blocks.append(code)
        c = self.colors
        body = _highlight(code, language.lower(), c.pygments_style) or _text(code)
        # Qt drops a newline right after <pre>, as HTML does; a leading blank line needs two.
        if code.startswith("\n"):
            body = "\n" + body
        # A table cell carries the background: Qt paints <pre> backgrounds only behind its
        # lines, with no padding. pre-wrap because a label cannot scroll sideways: a long line
        # wraps instead of being cut off (the copied text keeps it whole).
        self.out.append(
            f'<table width="100%" cellspacing="0" cellpadding="6" bgcolor="{c.code_bg}"'
            ' style="margin-top:6px; margin-bottom:6px">'
            f'<tr><td><span style="color:{c.muted}">{_text(language)}</span></td>'
            f'<td align="right"><a href="{COPY_SCHEME}:{number}"'
            f' style="color:{c.link}">{_text(self.copy_label)}</a></td></tr>'
            f'<tr><td colspan="2"><pre style="margin:0; white-space:pre-wrap;'
            f' color:{c.code_fg}">{body}</pre></td></tr></table>'
        )

    # -- inline

    def inline(self, tokens: Sequence[Token]) -> None:
        out = self.out
        for token in tokens:
            kind = token.type
            if kind in ("text", "text_special"):
                out.append(_text(token.content))
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("<br>")
            elif kind == "code_inline":
                # pre-wrap keeps the spaces of `a  b` (Qt collapses them otherwise) and still
                # lets a long span wrap.
                out.append(
                    '<code style="white-space:pre-wrap;'
                    f' background-color:{self.colors.inline_code_bg}">'
                    f"{_text(token.content)}</code>"
                )
            elif kind in ("em_open", "strong_open", "s_open"):
                out.append(f"<{_INLINE_TAGS[token.tag]}>")
            elif kind in ("em_close", "strong_close", "s_close"):
                out.append(f"</{_INLINE_TAGS[token.tag]}>")
            elif kind == "link_open":
                self.link_open(token)
            elif kind == "link_close":
                if self.links.pop():
                    out.append("</a>")
            elif kind == "image":
                self.image(token)
            elif kind == "html_inline":  # only if raw HTML were enabled: keep it inert anyway
                out.append(_text(token.content))

    def link_open(self, token: Token) -> None:
        href = str(token.attrGet("href") or "")
        safe = bool(_SAFE_LINK.match(href)) and not any(self.links)
        self.links.append(safe)
        if safe:
            title = token.attrGet("title")
            extra = f' title="{escape(str(title))}"' if title else ""
            self.out.append(f'<a href="{escape(href)}"{extra}>')

    def image(self, token: Token) -> None:
        alt = _plain(token.children or []) or str(token.attrGet("alt") or "")
        src = str(token.attrGet("src") or "")
        if _HTTP_LINK.match(src) and not any(self.links):
            self.out.append(f'<a href="{escape(src)}">{_text(alt or src)}</a>')
        else:
            self.out.append(_text(alt))


def _text(value: str) -> str:
    return escape(value, quote=False)


def _plain(tokens: Sequence[Token]) -> str:
    """The text of inline tokens without markup (an image's alt text)."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)


# ---------------------------------------------------------------------------- highlighting


@lru_cache(maxsize=128)
def _lexer(language: str) -> Any:
    """The Pygments lexer for a (lower-case) language name, or None when Pygments has none."""
    if not language:
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # The defaults strip leading/trailing newlines and add a final one: keep the code as is.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=4096)
def _token_css(style_name: str, token_type: Any) -> str:
    from pygments.styles import get_style_by_name

    style = get_style_by_name(style_name).style_for_token(token_type)
    css = []
    if style["color"]:
        css.append(f"color:#{style['color']}")
    if style["bgcolor"]:
        css.append(f"background-color:#{style['bgcolor']}")
    if style["bold"]:
        css.append("font-weight:bold")
    if style["italic"]:
        css.append("font-style:italic")
    if style["underline"]:
        css.append("text-decoration:underline")
    return "; ".join(css)


@lru_cache(maxsize=64)
def _highlight(code: str, language: str, style_name: str) -> str | None:
    """``code`` as escaped HTML with coloured spans, or None for an unknown language.

    Cached: lexing is most of a render's cost, and a finished message is rendered again whole
    after streaming in pieces, or when the theme changes back and forth.
    """
    lexer = _lexer(language)
    if lexer is None:
        return None
    parts: list[str] = []
    seen: list[str] = []
    run_css, run = "", ""
    for token_type, value in lexer.get_tokens(code):
        seen.append(value)
        # Whitespace looks the same in any colour: join it to the current run, unless that run
        # paints something spaces would show (a background, an underline).
        if value.isspace() and "background" not in run_css and "underline" not in run_css:
            css = run_css
        else:
            css = _token_css(style_name, token_type)
        if css != run_css:
            parts.append(_span(run_css, run))
            run_css, run = css, ""
        run += value
    parts.append(_span(run_css, run))
    # A lexer may normalise what it reads (a byte order mark, line endings); the code shown must
    # be the code copied, so fall back to plain text then.
    if "".join(seen) != code:
        return None
    return "".join(parts)


def _span(css: str, value: str) -> str:
    if not value:
        return ""
    return f'<span style="{css}">{_text(value)}</span>' if css else _text(value)
