"""One message of the chat view: its text as rendered Markdown, its reasoning panel, its footer
and its actions.

An answer that is still streaming renders incrementally: the finished Markdown blocks are
frozen into their own labels once, and only the unfinished tail is rendered again as tokens
arrive — the cost of an update does not grow with the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.attachment_chip import AttachmentChip, chip_style_sheet
from desktop.citations import DocumentsNote, SourcesList
from desktop.documents_data import attachments_in, search_queries, sources_in
from desktop.flow_layout import FlowLayout
from desktop.links import open_link
from desktop.markdown_render import COPY_SCHEME, render_markdown, stable_prefix
from desktop.theme import ChatColors


@dataclass
class MessageView:
    """What the view shows of a stored (or streaming) message."""

    id: int
    role: str
    content: str
    reasoning: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    incomplete: bool = False
    sibling_index: int = 0
    sibling_count: int = 1


def _plain_label(text: str, parent: QWidget, *, muted: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if muted:
        label.setProperty("muted", True)
    return label


class MarkdownBlock(QLabel):
    """A piece of Markdown shown as rich text; "copy:N" links copy code block N."""

    def __init__(self, parent: QWidget, owner: MessageWidget) -> None:
        super().__init__(parent)
        self._owner = owner
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setOpenExternalLinks(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.linkActivated.connect(self._on_link)

    def _on_link(self, href: str) -> None:
        if href.startswith(COPY_SCHEME + ":"):
            try:
                self._owner.copy_code(int(href.split(":", 1)[1]))
            except ValueError:
                return
        else:
            open_link(href)


def chat_style_sheet(colors: ChatColors) -> str:
    """The look of every message, set once on the chat column: one style sheet shared by all
    message widgets costs far less to apply than one per widget."""
    return (
        f"QWidget#chatColumn {{ background: {colors.window}; }}"
        f" QFrame#userMessage {{ background: {colors.user_bubble}; border: 1px solid"
        f" {colors.border}; border-radius: 8px; }}"
        f" QFrame#assistantMessage {{ background: {colors.assistant_bubble}; border: 1px solid"
        f" {colors.border}; border-radius: 8px; }}"
        f' QLabel[muted="true"] {{ color: {colors.muted}; }}'
        " QFrame#userMessage QToolButton, QFrame#assistantMessage QToolButton"
        " { border: none; padding: 2px 6px; }"
        " QFrame#userMessage QToolButton:hover, QFrame#assistantMessage QToolButton:hover"
        f" {{ background: {colors.border}; border-radius: 4px; }}"
        f" QLabel#documentsMissing {{ color: {colors.error_text}; }}"
        f" QFrame#assistantMessage QToolButton#source {{ color: {colors.link}; padding: 1px 0px; }}"
        " QFrame#assistantMessage QToolButton#source:hover"
        " { background: transparent; text-decoration: underline; }" + chip_style_sheet(colors)
    )


class MessageWidget(QFrame):
    """Signals:
    action(str, int): the user asked for "copy", "regenerate", "edit", "delete", "previous" or
        "next" (branch) on message id.
    copy_requested(str): text for the clipboard.
    """

    action = Signal(str, int)
    copy_requested = Signal(str)

    def __init__(self, view: MessageView, colors: ChatColors, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self._colors = colors
        self._code: list[str] = []
        self._frozen = 0  # characters of content already frozen into blocks
        self._streaming = False
        self._segments: list[str] = []
        self._tail_code: list[str] = []
        self.setObjectName("userMessage" if view.role == "user" else "assistantMessage")
        self.setAccessibleName(
            self.tr("Your message") if view.role == "user" else self.tr("Answer")
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(4)

        head = QHBoxLayout()
        who = QLabel(self.tr("You") if view.role == "user" else self.tr("Lanterna"), self)
        font = who.font()
        font.setBold(True)
        who.setFont(font)
        head.addWidget(who)
        head.addStretch(1)
        self.branch_label = QLabel("", self)
        self.branch_label.setProperty("muted", True)
        self.prev_button = self._tool("‹", self.tr("Previous version"), "previous")
        self.next_button = self._tool("›", self.tr("Next version"), "next")
        head.addWidget(self.prev_button)
        head.addWidget(self.branch_label)
        head.addWidget(self.next_button)
        outer.addLayout(head)

        self.reasoning_button = QToolButton(self)
        self.reasoning_button.setObjectName("reasoningToggle")
        self.reasoning_button.setCheckable(True)
        self.reasoning_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reasoning_button.setArrowType(Qt.ArrowType.RightArrow)
        self.reasoning_button.setAccessibleName(self.tr("Reasoning"))
        self.reasoning_button.toggled.connect(self._on_reasoning_toggled)
        self.reasoning_body = _plain_label("", self, muted=True)
        self.reasoning_body.setObjectName("reasoningBody")
        self.reasoning_body.setAccessibleName(self.tr("Filtered reasoning"))
        self.reasoning_body.setContentsMargins(18, 0, 0, 4)
        self.reasoning_button.hide()
        self.reasoning_body.hide()
        # Documents: built only for messages that have some (a long chat has few).
        self._outer = outer
        self.attachment_row: QWidget | None = None
        self._chips: list[AttachmentChip] = []
        self.documents_note: DocumentsNote | None = None
        self.sources: SourcesList | None = None
        outer.addWidget(self.reasoning_button, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.reasoning_body)

        self._body = QVBoxLayout()
        self._body.setSpacing(0)
        outer.addLayout(self._body)
        self._tail = MarkdownBlock(self, self)
        self._tail.setAccessibleName(self.tr("Message text"))
        self._body.addWidget(self._tail)

        foot = QHBoxLayout()
        self.footer = _plain_label("", self, muted=True)
        self.footer.setObjectName("footer")
        self.footer.setAccessibleName(self.tr("Answer details"))
        foot.addWidget(self.footer, 1)
        self.copy_button = self._tool(self.tr("Copy"), self.tr("Copy this message"), "copy")
        foot.addWidget(self.copy_button)
        if view.role == "user":
            self.edit_button = self._tool(self.tr("Edit"), self.tr("Edit and send again"), "edit")
            foot.addWidget(self.edit_button)
        else:
            self.regenerate_button = self._tool(
                self.tr("Regenerate"), self.tr("Write another answer"), "regenerate"
            )
            foot.addWidget(self.regenerate_button)
        self.delete_button = self._tool(
            self.tr("Delete"), self.tr("Delete this message and what follows it"), "delete"
        )
        foot.addWidget(self.delete_button)
        outer.addLayout(foot)
        self.refresh(view)

    def _tool(self, text: str, tip: str, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setObjectName(name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda: self._on_action(name))
        return button

    def _on_action(self, name: str) -> None:
        if name == "copy":
            self.copy_requested.emit(self.view.content)
        else:
            self.action.emit(name, self.view.id)

    # ------------------------------------------------------------------ content

    def refresh(self, view: MessageView) -> None:
        """Show a finished message (stored, or a stream that just ended)."""
        self.view = view
        self._streaming = False
        self._clear_frozen()
        rendered = render_markdown(view.content, dark=self._colors.dark, copy_label=self.tr("Copy"))
        self._code = list(rendered.code_blocks)
        self._tail.setText(rendered.html)
        self._tail.setVisible(bool(view.content) or view.role == "user")
        many = view.sibling_count > 1
        for w in (self.prev_button, self.branch_label, self.next_button):
            w.setVisible(many)
        if many:
            self.branch_label.setText(f"{view.sibling_index + 1}/{view.sibling_count}")
            self.prev_button.setEnabled(view.sibling_index > 0)
            self.next_button.setEnabled(view.sibling_index < view.sibling_count - 1)
        self._segments = [_segment_text(s) for s in view.reasoning.get("segments", [])]
        self._show_reasoning(view.reasoning)
        self.show_documents(view.meta)
        self.footer.setText(self._footer_text())
        for button in self._action_buttons():
            button.setEnabled(view.id > 0)

    def _action_buttons(self) -> list[QToolButton]:
        names = ("copy", "edit", "regenerate", "delete")
        return [b for b in self.findChildren(QToolButton) if b.objectName() in names]

    def _clear_frozen(self) -> None:
        while self._body.count() > 1:
            item = self._body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._frozen = 0

    def begin_stream(self) -> None:
        self._streaming = True
        self._tail.show()
        self._tail.setText("")
        self.footer.setText(self.tr("Reading the prompt…"))
        for button in self._action_buttons():
            button.setEnabled(False)

    def update_stream(self, content: str) -> None:
        """Show ``content`` (the whole answer so far) rendering only what changed."""
        self.view.content = content
        cut = stable_prefix(content)
        if cut > self._frozen:
            piece = render_markdown(
                content[self._frozen : cut],
                dark=self._colors.dark,
                first_block=len(self._code),
                copy_label=self.tr("Copy"),
            )
            block = MarkdownBlock(self, self)
            block.setText(piece.html)
            self._body.insertWidget(self._body.count() - 1, block)
            self._code.extend(piece.code_blocks)
            self._frozen = cut
        tail = render_markdown(
            content[self._frozen :],
            dark=self._colors.dark,
            first_block=len(self._code),
            copy_label=self.tr("Copy"),
        )
        self._tail_code = list(tail.code_blocks)
        self._tail.setText(tail.html)

    def set_status(self, text: str) -> None:
        self.footer.setText(text)

    def add_reasoning_segment(self, segment: dict[str, Any]) -> None:
        self._segments.append(_segment_text(segment))
        self.reasoning_body.setText(" ".join(self._segments))

    def set_reasoning_stats(self, seconds: float, tokens: int) -> None:
        self.reasoning_button.show()
        self.reasoning_button.setText(
            self.tr("Thinking… %1 s · %2 tokens")
            .replace("%1", f"{seconds:.0f}")
            .replace("%2", str(tokens))
        )

    def show_documents(self, meta: dict[str, Any]) -> None:
        """The documents of the message: chips on a question; on an answer, how they were
        used and its sources (also while it streams, as the worker reports them)."""
        if self.view.role == "user":
            self._show_attachments(meta)
            return
        used = bool(meta.get("documents") or search_queries(meta.get("tool_calls")))
        if used or self.documents_note is not None:
            if self.documents_note is None:
                self.documents_note = DocumentsNote(self)
                # Above the reasoning line: the plan comes before the model starts.
                at = self._outer.indexOf(self.reasoning_button)
                self._outer.insertWidget(at, self.documents_note)
            self.documents_note.show_meta(meta)
        sources = sources_in(meta)
        if sources or self.sources is not None:
            if self.sources is None:
                self.sources = SourcesList(self)
                self._outer.insertWidget(self._outer.count() - 1, self.sources)  # above the footer
            self.sources.show_sources(sources)

    def _show_attachments(self, meta: dict[str, Any]) -> None:
        docs = attachments_in(meta)
        if not docs and self.attachment_row is None:
            return
        if self.attachment_row is None:
            self.attachment_row = QWidget(self)
            self.attachment_row.setObjectName("messageAttachments")
            self.attachment_row.setAccessibleName(self.tr("Attached documents"))
            FlowLayout(self.attachment_row)
            at = self._outer.indexOf(self.reasoning_button)
            self._outer.insertWidget(at, self.attachment_row)
        flow = self.attachment_row.layout()
        assert flow is not None
        while flow.count():
            item = flow.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        self._chips = []
        for doc in docs:
            chip = AttachmentChip(doc.path, doc.name, removable=False, parent=self.attachment_row)
            chip.show_ready(doc.pages, doc.size, doc.notice)
            flow.addWidget(chip)
            self._chips.append(chip)
        self.attachment_row.setVisible(bool(docs))

    def attachment_chips(self) -> list[AttachmentChip]:
        return list(self._chips)

    def copy_code(self, index: int) -> None:
        blocks = self._code + (self._tail_code if self._streaming else [])
        if 0 <= index < len(blocks):
            self.copy_requested.emit(blocks[index])

    # ------------------------------------------------------------------ reasoning and footer

    def _show_reasoning(self, reasoning: dict[str, Any]) -> None:
        tokens = int(reasoning.get("tokens") or 0)
        seconds = float(reasoning.get("seconds") or 0.0)
        summary = reasoning.get("summary") or {}
        body = ""
        if summary.get("text"):
            body = str(summary["text"])
        elif summary.get("error"):
            body = self.tr("No summary: %1").replace("%1", str(summary["error"]))
        elif self._segments:
            body = " ".join(self._segments)
        if not tokens and not body:
            self.reasoning_button.hide()
            self.reasoning_body.hide()
            return
        self.reasoning_button.show()
        self.reasoning_button.setText(
            self.tr("Thought for %1 s · %2 tokens")
            .replace("%1", f"{seconds:.0f}")
            .replace("%2", str(tokens))
        )
        self.reasoning_body.setText(body)
        # Hidden mode has nothing to expand: the statistics are all there is.
        self.reasoning_button.setEnabled(bool(body))
        self.reasoning_button.setToolTip(
            self.tr("Show the filtered reasoning")
            if body
            else self.tr("The reasoning is hidden (Settings → Reasoning display)")
        )
        self.reasoning_body.setVisible(bool(body) and self.reasoning_button.isChecked())

    def _on_reasoning_toggled(self, on: bool) -> None:
        self.reasoning_button.setArrowType(
            Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow
        )
        self.reasoning_body.setVisible(on and bool(self.reasoning_body.text()))

    def _footer_text(self) -> str:
        view = self.view
        if view.role == "user":
            return ""
        meta, parts = view.meta, []
        if meta.get("model"):
            parts.append(str(meta["model"]))
        if meta.get("effort"):
            parts.append(self.tr("effort %1").replace("%1", self._effort_name(meta["effort"])))
        if meta.get("tokens_per_s"):
            parts.append(
                self.tr("%1 tok/s").replace(
                    "%1", QLocale().toString(float(meta["tokens_per_s"]), "f", 1)
                )
            )
        if meta.get("ttft_ms"):
            parts.append(
                self.tr("first token %1 ms").replace("%1", f"{float(meta['ttft_ms']):.0f}")
            )
        if meta.get("finish_reason") == "cancelled":
            parts.append(self.tr("stopped"))
        elif meta.get("finish_reason") == "length":
            parts.append(self.tr("cut at the token limit"))
        if view.incomplete and meta.get("finish_reason") != "cancelled":
            parts.append(self.tr("incomplete"))
        if meta.get("error"):
            parts.append(self.tr("error: %1").replace("%1", str(meta["error"])))
        return " · ".join(parts)

    def _effort_name(self, effort: object) -> str:
        names = {"low": self.tr("low"), "medium": self.tr("medium"), "high": self.tr("high")}
        return names.get(str(effort), str(effort))


def _segment_text(segment: dict[str, Any]) -> str:
    if segment.get("withheld"):
        return f"[withheld: {', '.join(segment.get('categories') or [])}]"
    return str(segment.get("text") or "")
