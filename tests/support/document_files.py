"""Real document files for the extraction tests, written the way other programs write them.

- PDFs come from ReportLab (a real PDF writer: embedded TrueType fonts with ToUnicode maps,
  RC4 encryption) and carry real text: the licences of ``/usr/share/common-licenses``
  (Debian's base-files), laid out a known set of lines per page, so a test can tell which
  page a line must come back on.
- Hostile PDFs that no writer would produce (a page tree that lies about its size, a content
  stream that inflates to gigabytes, objects nested a hundred thousand deep) are assembled
  byte by byte with a correct cross-reference table.
- DOCX files are zip archives of hand-written WordprocessingML as Word lays it out, with the
  styles part of Word in Portuguese (it names "heading 1" ``Ttulo1``); the tests add runs,
  tabs, breaks, tables, tracked changes, field codes, hidden text and text boxes.
- Bombs and huge files cost little disk: zeros streamed through deflate, sparse files.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

LICENSES = Path("/usr/share/common-licenses")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
GIB = 1024**3
MIB = 1024**2


# real text


def licence_lines() -> list[str]:
    """Every non-blank line of the licences shipped with Debian, in a fixed order."""
    lines: list[str] = []
    for path in sorted(LICENSES.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue  # GPL -> GPL-3 and the like: the same text twice
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = " ".join(line.split())
            if line:
                lines.append(line)
    return lines


def pages_of(lines: Sequence[str], pages: int, per_page: int) -> list[list[str]]:
    """``pages`` pages of ``per_page`` lines each, going round the text as often as needed."""
    out: list[list[str]] = []
    i = 0
    for _ in range(pages):
        page = []
        for _ in range(per_page):
            page.append(lines[i % len(lines)])
            i += 1
        out.append(page)
    return out


# PDFs from a real writer


def _canvas(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if DEJAVU.is_file():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        font = "DejaVuSans"
    c = canvas.Canvas(str(path), **kwargs)
    return c, font


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[str] | None],
    *,
    title: str | None = None,
    encrypt_with: str | None = None,
    size: float = 9,
) -> Path:
    """A PDF with one page per item: lines of text, or None for a page with only a picture
    (a scanned page: an image and no text layer)."""
    from reportlab.lib import pdfencrypt

    kwargs: dict[str, object] = {}
    if encrypt_with is not None:
        kwargs["encrypt"] = pdfencrypt.StandardEncryption(
            encrypt_with, ownerPassword=encrypt_with + "-owner", strength=128
        )
    c, font = _canvas(path, **kwargs)
    if title:
        c.setTitle(title)
    for lines in pages:
        if lines is None:
            _draw_scan(c)
        else:
            c.setFont(font, size)
            y = 800.0
            for line in lines:
                c.drawString(40, y, line)
                y -= size * 1.45
        c.showPage()
    c.save()
    return path


def write_blank_pdf(path: Path, pages: int) -> Path:
    """Pages with nothing on them at all."""
    c, _ = _canvas(path)
    for _ in range(pages):
        c.showPage()
    c.save()
    return path


def _draw_scan(c) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    # Grey paper with dark strokes where lines of text were, as a scanner sees a page.
    img = Image.new("L", (600, 800), 235)
    draw = ImageDraw.Draw(img)
    for row in range(60, 760, 22):
        draw.rectangle((50, row, 540 - (row * 7) % 120, row + 9), fill=40)
    c.drawImage(ImageReader(img), 30, 40, width=535, height=760)


# hostile PDFs, byte by byte


def _pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF from object bodies numbered 1…n (1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(parent: int, contents: int, font: int, box: bytes = b"[0 0 612 792]") -> bytes:
    head = b"<< /Type /Page /Parent %d 0 R /MediaBox %s " % (parent, box)
    return head + b"/Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>" % (contents, font)


def _text_content(text: str) -> bytes:
    return _stream(b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1"))


def write_pdf_lying_page_count(path: Path, declared: int = 100_000) -> Path:
    """A page tree whose /Count claims ``declared`` pages over a single real one."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % declared,
        _page(2, 4, 5),
        _text_content("The only real page"),
        _FONT,
    ]
    path.write_bytes(_pdf(objects))
    return path


def write_pdf_page_tree_bomb(path: Path, levels: int = 5, fan: int = 10) -> Path:
    """fan**levels pages from a few hundred bytes: every node lists the same child ``fan``
    times, down to one shared page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    page_id = 2 + levels
    for level in range(levels):
        me = 2 + level
        parent = b"" if level == 0 else b"/Parent %d 0 R" % (me - 1)
        kids = b" ".join([b"%d 0 R" % (me + 1)] * fan)
        count = fan ** (levels - level)
        objects.append(b"<< /Type /Pages %s /Kids [%s] /Count %d >>" % (parent, kids, count))
    objects.append(_page(page_id - 1, page_id + 1, page_id + 2))
    objects.append(_text_content("Shared page"))
    objects.append(_FONT)
    path.write_bytes(_pdf(objects))
    return path


def write_pdf_deep_nesting(path: Path, depth: int = 100_000) -> Path:
    """Arrays nested ``depth`` deep in the catalog, over one ordinary page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2, 4, 5),
        _text_content("Below the deep nesting"),
        _FONT,
    ]
    path.write_bytes(_pdf(objects))
    return path


def write_pdf_giant_page(path: Path) -> Path:
    """A page of 200 km by 200 km (the largest MediaBox times the largest UserUnit)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2, 4, 5, box=b"[0 0 14400 14400] /UserUnit 75000"),
        _text_content("A very large page"),
        _FONT,
    ]
    path.write_bytes(_pdf(objects))
    return path


def write_pdf_inflate_bomb(path: Path, inflated: int = GIB) -> Path:
    """One page whose content stream inflates to ``inflated`` bytes of text-showing operators
    (about 1.5 MB on disk per GiB)."""
    compressor = zlib.compressobj(9)
    chunk = b"(x) Tj " * (1 << 17)
    parts = [compressor.compress(b"BT /F1 12 Tf 72 720 Td ")]
    for _ in range(max(1, inflated // len(chunk))):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.compress(b" ET"))
    parts.append(compressor.flush())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2, 4, 5),
        _stream(b"".join(parts), b"/Filter /FlateDecode"),
        _FONT,
    ]
    path.write_bytes(_pdf(objects))
    return path


def write_pdf_text_outside_page(path: Path, visible: str, hidden: str) -> Path:
    """Text on the page, and text placed far outside the visible area."""
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET BT /F1 12 Tf 5000 5000 Td (%s) Tj ET" % (
        visible.encode("latin-1"),
        hidden.encode("latin-1"),
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2, 4, 5),
        _stream(content),
        _FONT,
    ]
    path.write_bytes(_pdf(objects))
    return path


# DOCX


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{_PACKAGE}/content-types">
<Default Extension="rels"
 ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{_OFFICE}.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="{_OFFICE}.styles+xml"/>
<Override PartName="/docProps/core.xml"
 ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PACKAGE}/relationships">
<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="{_PACKAGE}/relationships/metadata/core-properties"
 Target="docProps/core.xml"/>
</Relationships>"""
_DOCUMENT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PACKAGE}/relationships">
<Relationship Id="rId1" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>
</Relationships>"""
# Style ids as Word in Portuguese writes them; the names are always the built-in English ones.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo"><w:name w:val="Title"/>
<w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo1"><w:name w:val="heading 1"/>
<w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Ttulo2"><w:name w:val="heading 2"/>
<w:basedOn w:val="Ttulo1"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Citao"><w:name w:val="Quote"/>
<w:basedOn w:val="Normal"/></w:style>
<w:style w:type="character" w:styleId="Forte"><w:name w:val="Strong"/></w:style>
</w:styles>"""


def core_xml(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>Ana</dc:creator>"
        "</cp:coreProperties>"
    )


def para(text: str, style: str | None = None) -> str:
    """One paragraph of one run."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def table(rows: Sequence[Sequence[str]]) -> str:
    out = ['<w:tbl><w:tblPr><w:tblStyle w:val="Tabelacomgrade"/></w:tblPr><w:tblGrid/>']
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            width = '<w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>'
            out.append(f"<w:tc>{width}{para(cell)}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def document_xml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="wps">'
        f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body>'
        "</w:document>"
    )


def write_docx(
    path: Path, body: str, *, title: str | None = None, document: str | None = None
) -> Path:
    """A .docx with ``body`` (WordprocessingML paragraphs and tables) as its document."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/_rels/document.xml.rels", _DOCUMENT_RELS)
        z.writestr("word/document.xml", document if document is not None else document_xml(body))
        z.writestr("word/styles.xml", STYLES)
        if title is not None:
            z.writestr("docProps/core.xml", core_xml(title))
    return path


def write_docx_zip_bomb(path: Path, inflated: int = 2 * GIB) -> Path:
    """A .docx whose document.xml inflates to ``inflated`` bytes of zeros (2 GiB: 9 MB on
    disk), streamed through deflate so it never exists uncompressed."""
    zeros = bytes(16 * MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            written = 0
            while written < inflated:
                n = min(len(zeros), inflated - written)
                f.write(zeros[:n])
                written += n
    return path


def write_docx_many_entries(path: Path, entries: int) -> Path:
    """A real small .docx padded with ``entries`` empty parts."""
    write_docx(path, para("Just a paragraph."))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        for i in range(entries):
            z.writestr(f"customXml/item{i}.xml", b"")
    return path


# text


def write_sparse_text(path: Path, size: int, text: str, every: int = 8 * MIB) -> Path:
    """A file of ``size`` bytes that occupies almost no disk: ``text`` (UTF-8) at the start
    and again every ``every`` bytes, holes (zeros) between."""
    data = text.encode("utf-8")
    with open(path, "wb") as f:
        for offset in range(0, size - len(data), every):
            f.seek(offset)
            f.write(data)
        f.truncate(size)
    return path
