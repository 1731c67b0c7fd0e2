"""What an empty chat shows: a welcome on first run, and — while the demo model is the one
loaded — the suggestion to get gpt-oss-20b, the model Lanterna is made for."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.theme import ChatColors


class WelcomeCard(QFrame):
    """Signals:
    get_recommended(): the user wants gpt-oss-20b.
    open_model(): the user wants to pick a model file already on disk.
    """

    get_recommended = Signal()
    open_model = Signal()

    def __init__(self, colors: ChatColors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.set_colors(colors)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        self.title = QLabel(self.tr("Ask anything"), self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = QLabel("", self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)

        self.suggestion = QFrame(self)
        s = QVBoxLayout(self.suggestion)
        s.setContentsMargins(0, 8, 0, 0)
        head = QLabel(self.tr("Recommended: gpt-oss-20b"), self.suggestion)
        bold = head.font()
        bold.setBold(True)
        head.setFont(bold)
        body = QLabel(
            self.tr(
                "OpenAI's open-weight reasoning model: 21B parameters, 128k context, adjustable "
                "reasoning effort. A 12.1 GB download; it runs in 16 GB of memory."
            ),
            self.suggestion,
        )
        body.setWordWrap(True)
        body.setProperty("muted", True)
        buttons = QHBoxLayout()
        self.get_button = QPushButton(self.tr("Get gpt-oss-20b…"), self.suggestion)
        self.get_button.setObjectName("getRecommended")
        self.get_button.setAccessibleName(self.tr("Get gpt-oss-20b"))
        self.get_button.clicked.connect(self.get_recommended)
        self.open_button = QPushButton(self.tr("Open a model file…"), self.suggestion)
        self.open_button.setAccessibleName(self.tr("Open a model file"))
        self.open_button.clicked.connect(self.open_model)
        buttons.addWidget(self.get_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        s.addWidget(head)
        s.addWidget(body)
        s.addLayout(buttons)
        layout.addWidget(self.suggestion)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._first_run = False
        self._demo = True
        self._no_model = False
        self._update()

    def set_colors(self, colors: ChatColors) -> None:
        self.setStyleSheet(
            f"QFrame#welcome {{ background: {colors.assistant_bubble}; border: 1px solid"
            f" {colors.border}; border-radius: 10px; }}"
            f' QFrame#welcome QLabel[muted="true"] {{ color: {colors.muted}; }}'
        )

    def set_first_run(self, first: bool) -> None:
        self._first_run = first
        self._update()

    def set_demo(self, demo: bool) -> None:
        self._demo = demo
        self._no_model = False
        self._update()

    def set_no_model(self) -> None:
        """No model could be prepared (the demo model failed): say so, and keep the way to get
        one in view."""
        self._demo = False
        self._no_model = True
        self._update()

    def _update(self) -> None:
        if self._first_run:
            self.title.setText(self.tr("Welcome to Lanterna"))
        else:
            self.title.setText(self.tr("Ask anything"))
        if self._no_model:
            self.intro.setText(
                self.tr(
                    "No model is ready yet. Download one below, or open a GGUF model file you "
                    "already have. Everything stays on this computer."
                )
            )
        elif self._demo:
            self.intro.setText(
                self.tr(
                    "The demo model, Gemma 3 270M, is ready and works offline. It is tiny: it "
                    "continues text rather than following instructions, so expect short, simple "
                    "answers. Everything stays on this computer."
                )
            )
        else:
            self.intro.setText(
                self.tr("Your messages and the model's answers stay on this computer.")
            )
        self.suggestion.setVisible(self._demo or self._no_model)
