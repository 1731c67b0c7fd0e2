"""The main window: conversations on the left; model, chat and composer on the right.

Nothing slow runs on the GUI thread. The model runs in the worker process (events arrive
through :class:`EngineBridge`); the SQLite store, exports, settings and folder scans run on
the I/O thread of :class:`Background`; preparing the demo model runs on a plain thread;
dropped documents are read on the composer's reader threads (:mod:`desktop.attachments`).

Documents: a question keeps the documents sent with it in its meta, and every request sends
all the documents of the branch (:func:`desktop.documents_data.documents_payload`); an answer
keeps how they were used and its sources (:mod:`desktop.citations`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.background import Background
from desktop.chat_data import Thread, load_thread, title_for, views_for
from desktop.chat_view import ChatView
from desktop.composer import Composer
from desktop.documents_data import documents_payload, plan_json
from desktop.engine_bridge import EngineBridge
from desktop.engine_errors import describe_demo_failure, describe_error, describe_exit
from desktop.file_drops import FileDrops, local_paths
from desktop.message_view import MessageView, MessageWidget
from desktop.model_bar import UNKNOWN_PROGRESS, ModelBar, model_label
from desktop.model_text import format_size
from desktop.prompt_progress import PromptProgressClock
from desktop.read_ahead import DocumentReadAhead, Draft, word_finished
from desktop.sidebar import Sidebar
from desktop.theme import chat_colors, is_dark
from desktop.welcome import WelcomeCard
from engine import protocol as p
from engine.answer import AnswerRecord
from engine.atomic import write_text_atomic
from engine.client import WorkerExited, WorkerStartError
from engine.conversation import ChatMessage
from engine.export import export_json, export_markdown
from engine.gpu import DEVICE_NAMES
from engine.models.demo import DemoModelError, demo_model_path, ensure_demo_model
from engine.models.fit import WONT_FIT
from engine.settings import Settings, load_settings, save_settings
from engine.store import Conversation, Store, StoredMessage

if TYPE_CHECKING:
    from desktop.downloads import DownloadItem, DownloadManager
    from desktop.models_dialog import ModelsDialog
    from engine.models.fit import FitEstimate
    from engine.models.registry import ModelSettings

FLUSH_MS = 33  # streamed text reaches the screen at most ~30 times a second
# A long unfinished block (a list without blank lines, an open code fence) is rendered again on
# every flush; the interval then grows so that re-rendering takes at most this share of the
# GUI thread's time, up to MAX_FLUSH_MS between updates.
FLUSH_BUDGET = 0.15
MAX_FLUSH_MS = 400
DEFAULT_MAX_TOKENS = 8192
BACKEND_NAMES = {"llamacpp": "llama.cpp", "mlx": "MLX"}


def next_flush_interval(spent_ms: float) -> int:
    """Milliseconds to the next streaming update, after one that took ``spent_ms``."""
    return min(MAX_FLUSH_MS, max(FLUSH_MS, int(spent_ms / FLUSH_BUDGET)))


@dataclass
class _Place:
    """Where the message being written goes."""

    path: list[StoredMessage]  # the branch before it
    parent_id: int | None
    history: list[ChatMessage]  # the conversation sent before it
    user_meta: dict[str, Any]  # its attachments
    documents: list[dict[str, Any]]  # the request's documents, its own included


@dataclass
class _Turn:
    """An answer being written, from the request to the stored message."""

    req: int
    conversation_id: int | None
    parent_id: int | None  # the user message answered; filled in by the I/O thread when new
    record: AnswerRecord
    widget: MessageWidget
    temp_id: int
    model: str
    effort: str | None
    dirty: bool = False
    ids: dict[str, int | None] = field(default_factory=dict)
    documents: dict[str, Any] | None = None  # the worker's DocumentsPlan
    sources: list[dict[str, Any]] = field(default_factory=list)
    progress: PromptProgressClock = field(default_factory=PromptProgressClock)

    def documents_meta(self) -> dict[str, Any]:
        """What the answer keeps of its documents (see desktop.documents_data)."""
        meta: dict[str, Any] = {"tool_calls": self.record.tool_calls}
        if self.documents is not None:
            meta["documents"] = self.documents
        if self.sources:
            meta["sources"] = self.sources
        return meta


class MainWindow(QMainWindow):
    """Signals:
    model_ready(str): the path of the model to load, from the preparation thread.
    model_failed(str, str): the demo model could not be prepared: its kind and message.
    conversation_shown(int): a conversation's messages are on screen (0: a new chat).
    answer_saved(int): an answer (its message id) is in the store.
    load_failed(str): the model could not be prepared or loaded, and why.
    """

    model_ready = Signal(str)
    model_failed = Signal(str, str)
    conversation_shown = Signal(int)
    answer_saved = Signal(int)
    load_failed = Signal(str)

    def __init__(
        self,
        model: Path | None = None,
        *,
        store_path: Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Lanterna")
        self.resize(1100, 720)
        self._settings = settings if settings is not None else load_settings()
        self._model_arg = model
        self._model_path: str | None = None
        self._no_model = False  # no model could be prepared: the bar says so until one is chosen
        self._model_name = ""
        self._loaded: p.Loaded | None = None
        # Models the user chose to load although the estimate said they would not fit.
        self._load_anyway: set[str] = set()
        self.load_warning: QMessageBox | None = None
        self._load_req: int | None = None
        self._worker_ready = False
        self._thread: Thread | None = None  # the conversation on screen (None: a new chat)
        self._turn: _Turn | None = None
        self._editing: int | None = None  # the user message being edited
        # The user has started writing in this chat: its earlier documents are worth reading.
        self._composing = False
        self._search = ""
        self._temp_ids = itertools.count(-1, -1)
        self._store: Store | None = None
        self._colors = chat_colors(is_dark())
        # The longest answer asked for, in tokens; tests and the benchmark ask for less.
        self.max_tokens = DEFAULT_MAX_TOKENS
        # A fixed sampling seed makes answers repeatable; None (the default) samples afresh.
        self.seed: int | None = None

        self.io = Background(self)
        self.bridge = EngineBridge(self)
        self.bridge.event.connect(self._on_engine_event)
        self.model_ready.connect(self._on_model_ready)
        self.model_failed.connect(self._on_model_failed)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush_stream)
        self.downloads: DownloadManager | None = None
        self.models_dialog: ModelsDialog | None = None
        self._build()
        self.setAcceptDrops(True)
        self.download_label = QLabel("", self)
        self.statusBar().addPermanentWidget(self.download_label)
        # Once the window is on screen: importing the download code takes a moment.
        QTimer.singleShot(300, self, self._start_downloads)
        self._open_store(store_path)
        self.model_bar.set_state("starting", self.tr("Starting the engine…"))
        try:
            self.bridge.client.start()
        except WorkerStartError as exc:
            self._show_banner(str(exc), restart=True)
        self._prepare_model()

    # ================================================================ layout

    def _build(self) -> None:
        split = QSplitter(self)
        split.setChildrenCollapsible(False)
        self.sidebar = Sidebar(split)
        self.sidebar.setMinimumWidth(200)
        self.sidebar.new_requested.connect(self.new_chat)
        self.sidebar.open_requested.connect(self.open_conversation)
        self.sidebar.rename_requested.connect(self.rename_conversation)
        self.sidebar.delete_requested.connect(self._on_delete_conversation)
        self.sidebar.export_requested.connect(self._on_export_requested)
        self.sidebar.search_changed.connect(self._on_search)

        right = QWidget(split)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(6)
        top = QHBoxLayout()
        top.setContentsMargins(16, 0, 16, 0)
        self.model_bar = ModelBar(right)
        self.model_bar.model_chosen.connect(self._on_model_chosen)
        self.model_bar.open_file_requested.connect(self._on_open_model_file)
        top.addWidget(self.model_bar, 1)
        self.settings_button = QPushButton(self.tr("Settings"), right)
        self.settings_button.setAccessibleName(self.tr("Settings"))
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.settings_button.clicked.connect(self.open_settings)
        top.addWidget(self.settings_button)
        column.addLayout(top)

        self.banner = QFrame(right)
        self.banner.setObjectName("banner")
        self.banner.setAccessibleName(self.tr("Problem"))
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = QLabel("", self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restart_button = QPushButton(self.tr("Restart engine"), self.banner)
        self.restart_button.clicked.connect(self._on_restart)
        self.dismiss_button = QPushButton(self.tr("Dismiss"), self.banner)
        self.dismiss_button.clicked.connect(self.banner.hide)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(self.restart_button)
        banner_row.addWidget(self.dismiss_button)
        self.banner.hide()
        bw = QHBoxLayout()
        bw.setContentsMargins(16, 0, 16, 0)
        bw.addWidget(self.banner)
        column.addLayout(bw)

        self.chat = ChatView(self._colors, right)
        self.chat.action.connect(self._on_message_action)
        self.chat.copy_requested.connect(self._copy)
        column.addWidget(self.chat, 1)
        self.welcome = WelcomeCard(self._colors)
        self.welcome.get_recommended.connect(self._on_get_recommended)
        self.welcome.open_model.connect(self._on_open_model_file)
        self.chat.set_empty_state(self.welcome)

        self.composer = Composer(right)
        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop)
        self.composer.effort_changed.connect(self._on_effort_changed)
        self.composer.edit_cancelled.connect(self._on_edit_cancelled)
        self.composer.set_effort(str(self._settings.extra.get("effort", "medium")))
        column.addWidget(self.composer)
        self.read_ahead = DocumentReadAhead(
            lambda: self.bridge.client, self._read_ahead_draft, self
        )
        self.read_ahead.status.connect(self._on_read_ahead_status)
        self.read_ahead.finished.connect(self._on_read_ahead_finished)
        self.composer.attachments.changed.connect(self.read_ahead.schedule)
        self.composer.text.textChanged.connect(self._on_composer_text_changed)
        # Files dropped on the conversation or the message box; the rest of the window takes
        # them through dragEnterEvent/dropEvent.
        self.drops = FileDrops(self)
        self.drops.watch(self.chat.viewport())
        self.drops.watch(self.composer.text.viewport())
        self.drops.dropped.connect(self.drop_files)

        split.addWidget(self.sidebar)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 860])
        self.setCentralWidget(split)
        self._apply_colors()
        self._build_menus()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(self.tr("&File"))
        self.new_action = file.addAction(
            self.tr("New chat"), QKeySequence.StandardKey.New, self.new_chat
        )
        file.addAction(
            self.tr("Open a model file…"), QKeySequence("Ctrl+O"), self._on_open_model_file
        )
        file.addAction(self.tr("Models…"), QKeySequence("Ctrl+M"), self.open_models)
        file.addSeparator()
        file.addAction(
            self.tr("Export as Markdown…"), lambda: self._on_export_requested(None, "md")
        )
        file.addAction(self.tr("Export as JSON…"), lambda: self._on_export_requested(None, "json"))
        file.addSeparator()
        settings = file.addAction(self.tr("Settings…"), QKeySequence("Ctrl+,"), self.open_settings)
        settings.setMenuRole(settings.MenuRole.PreferencesRole)
        file.addSeparator()
        file.addAction(self.tr("Quit"), QKeySequence.StandardKey.Quit, self.close)
        chat = bar.addMenu(self.tr("&Chat"))
        chat.addAction(self.tr("Send"), QKeySequence("Ctrl+Return"), self.composer.submit)
        chat.addAction(self.tr("Stop"), QKeySequence("Escape"), self._on_escape)
        search = chat.addAction(self.tr("Search chats"), self._focus_search)
        search.setShortcuts([QKeySequence("Ctrl+K"), QKeySequence(QKeySequence.StandardKey.Find)])
        chat.addAction(
            self.tr("Focus the message box"), QKeySequence("Ctrl+L"), self.composer.text.setFocus
        )

    def _apply_colors(self) -> None:
        c = self._colors
        self.banner.setStyleSheet(
            f"QFrame#banner {{ background: {c.error_bg}; border: 1px solid"
            f" {c.error_border}; border-radius: 6px; }}"
            f" QFrame#banner QLabel {{ color: {c.text}; }}"
        )
        self.sidebar.list.setStyleSheet(
            "QListWidget { border: none; background: transparent; }"
            " QListWidget::item { padding: 7px 8px; border-radius: 6px; }"
            f" QListWidget::item:hover {{ background: {c.border}; }}"
            f" QListWidget::item:selected {{ background: {c.accent}; color: {c.on_accent}; }}"
        )
        self.composer.send_button.setStyleSheet(
            f"QPushButton#send {{ background: {c.accent}; color: {c.on_accent}; border: none;"
            " border-radius: 6px; padding: 6px 20px; font-weight: bold; }"
            f" QPushButton#send:disabled {{ background: {c.border}; color: {c.muted}; }}"
        )
        self.composer.attachments.set_colors(c)

    def _focus_search(self) -> None:
        self.sidebar.search.setFocus()
        self.sidebar.search.selectAll()

    def _on_escape(self) -> None:
        if self._turn is not None:
            self.stop()
        elif self.composer.editing:
            self.composer.cancel_edit()

    # ================================================================ store

    def _open_store(self, path: Path | None) -> None:
        def opened(store: Store) -> None:
            self._store = store
            self._refresh_list()

        self.io.run(lambda: Store(path), opened, self._on_store_failed)

    def _on_store_failed(self, exc: Exception) -> None:
        self._show_banner(
            self.tr("Your chat history could not be opened: %1. Chats will not be saved.").replace(
                "%1", str(exc)
            ),
            restart=False,
        )

    def _refresh_list(self) -> None:
        store, query = self._store, self._search
        if store is None:
            return
        self.io.run(lambda: store.conversations(query), self._on_list_loaded)

    def _on_list_loaded(self, conversations: list[Conversation]) -> None:
        self.sidebar.show_conversations(conversations)
        if not conversations and not self._search and self._thread is None:
            self.welcome.set_first_run(True)

    def _on_search(self, text: str) -> None:
        self._search = text
        self._refresh_list()

    # ================================================================ conversations

    def new_chat(self) -> None:
        if self._turn is not None:
            return
        self._thread = None
        self._editing = None
        self._composing = False
        self.composer.end_edit()
        self.chat.clear()
        self.chat.set_empty_state(self.welcome)
        self.sidebar.set_current(None)
        self.composer.set_effort(str(self._settings.extra.get("effort", "medium")))
        self.composer.text.setFocus()
        self.read_ahead.schedule()
        self.conversation_shown.emit(0)

    def open_conversation(self, conversation_id: int, leaf: int | None = None) -> None:
        store = self._store
        if store is None or self._turn is not None:
            return
        self.io.run(lambda: load_thread(store, conversation_id, leaf), self._show_thread)

    def _show_thread(self, thread: Thread | None, *, rebuild: bool = True) -> None:
        if thread is None:
            self.new_chat()
            self._refresh_list()
            return
        if self._thread is None or self._thread.conversation.id != thread.conversation.id:
            self._composing = bool(self.composer.text.toPlainText().strip())
        self._thread = thread
        self.read_ahead.schedule()
        self.sidebar.set_current(thread.conversation.id)
        effort = thread.conversation.settings.get("effort")
        if isinstance(effort, str):
            self.composer.set_effort(effort)
        views = thread.shown
        if rebuild:
            self.chat.show_messages(views)
            if not views:
                self.chat.set_empty_state(self.welcome)
        self.conversation_shown.emit(thread.conversation.id)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        store = self._store
        if store is not None:
            self.io.run(
                lambda: store.rename_conversation(conversation_id, title),
                lambda _r: self._refresh_list(),
            )

    def _on_delete_conversation(self, conversation_id: int) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Delete chat"),
            self.tr("Delete this chat and all its messages? This cannot be undone."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        store = self._store
        if store is None or (
            self._turn is not None and self._turn.conversation_id == conversation_id
        ):
            return
        if self._thread is not None and self._thread.conversation.id == conversation_id:
            self.new_chat()
        self.io.run(
            lambda: store.delete_conversation(conversation_id), lambda _r: self._refresh_list()
        )

    def _remember_leaf(self, thread: Thread) -> None:
        store, cid, leaf = self._store, thread.conversation.id, thread.leaf
        if store is not None:
            self.io.run(lambda: store.update_conversation_settings(cid, {"leaf": leaf}))

    # ================================================================ export

    def _on_export_requested(self, conversation_id: int | None, fmt: str = "md") -> None:
        cid = conversation_id or (self._thread.conversation.id if self._thread else None)
        if cid is None:
            self.statusBar().showMessage(self.tr("Nothing to export yet"), 4000)
            return
        filters = self.tr("Markdown (*.md)") + ";;" + self.tr("JSON (*.json)")
        chosen = self.tr("JSON (*.json)") if fmt == "json" else self.tr("Markdown (*.md)")
        path, picked = QFileDialog.getSaveFileName(
            self, self.tr("Export chat"), "", filters, chosen
        )
        if path:
            as_json = picked == self.tr("JSON (*.json)") or path.endswith(".json")
            self.export_conversation(cid, Path(path), "json" if as_json else "md")

    def export_conversation(self, conversation_id: int, path: Path, fmt: str) -> None:
        """Write the shown branch of a conversation to ``path`` ("md" or "json")."""
        store = self._store
        if store is None:
            return

        def work() -> Path:
            thread = load_thread(store, conversation_id)
            if thread is None:
                raise ValueError("the chat no longer exists")
            if fmt == "json":
                body = json.dumps(
                    export_json(thread.conversation, thread.path), ensure_ascii=False, indent=2
                )
            else:
                body = export_markdown(thread.conversation, thread.path)
            target = path if path.suffix else path.with_suffix("." + fmt)
            write_text_atomic(target, body + ("\n" if not body.endswith("\n") else ""))
            return target

        def done(target: Path) -> None:
            self.statusBar().showMessage(self.tr("Exported to %1").replace("%1", str(target)), 6000)

        def failed(exc: Exception) -> None:
            self._show_banner(
                self.tr("The chat could not be exported: %1").replace("%1", str(exc)), restart=False
            )

        self.io.run(work, done, failed)

    # ================================================================ model

    def _prepare_model(self) -> None:
        if self._model_arg is not None and not self._model_arg.exists():
            # Asked for by name (command line): falling back silently would hide the mistake.
            reason = self.tr("the model %1 does not exist").replace("%1", str(self._model_arg))
            # After the constructor: whoever watches load_failed is connected by then.
            QTimer.singleShot(0, lambda: self._on_model_failed("not_found", reason))
            return
        chosen = self._model_arg or (Path(self._settings.model) if self._settings.model else None)
        if chosen is not None and chosen.exists():
            self.model_ready.emit(str(chosen))
            return
        if chosen is not None:
            self._show_banner(
                self.tr("The model %1 is no longer there; using the demo model.").replace(
                    "%1", str(chosen)
                ),
                restart=False,
            )

        def work() -> None:
            try:
                self.model_ready.emit(str(ensure_demo_model(self._settings.models_folder())))
            except DemoModelError as exc:
                self.model_failed.emit(exc.kind, str(exc))

        self.model_bar.set_state("loading", self.tr("Preparing the demo model…"))
        threading.Thread(target=work, name="prepare-model", daemon=True).start()

    def _demo_path(self) -> str:
        return str(demo_model_path(self._settings.models_folder()))

    def _on_model_ready(self, path: str) -> None:
        self._model_path = path
        self._no_model = False
        self.welcome.set_demo(path == self._demo_path())
        self._scan_models()
        self._load()

    def _scan_models(self) -> None:
        def scan() -> list[str]:
            # The registry knows what is installed: the models folder (split files once,
            # partial downloads skipped) and the files imported from elsewhere.
            from engine.models.registry import ModelRegistry

            models = ModelRegistry(self._settings.models_folder()).list_models()
            # Embedding models serve document search (Settings), not chat.
            return sorted(str(m.path) for m in models if not m.problem and not m.embedding)

        def show(paths: list[str]) -> None:
            self.model_bar.set_models(paths, self._model_path, self._demo_path())

        self.io.run(scan, show)

    def _on_model_failed(self, kind: str, message: str) -> None:
        self._no_model = True
        self.welcome.set_no_model()
        self.model_bar.set_state("error", self.tr("No model"))
        self._show_banner(describe_demo_failure(kind, message).block(), restart=False)
        self.load_failed.emit(message)

    def _on_model_chosen(self, path: str) -> None:
        if self._turn is not None:
            return
        self._model_path = path
        self._no_model = False
        self._settings.model = "" if path == self._demo_path() else path
        self._save_settings()
        self.welcome.set_demo(path == self._demo_path())
        self._worker_ready = self._worker_ready or self._loaded is not None
        self._load()

    def _on_open_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open a model"),
            str(self._settings.models_folder()),
            self.tr("GGUF models (*.gguf);;All files (*)"),
        )
        if path:
            self.open_model_path(path)

    def open_model_path(self, path: str) -> None:
        """Load the model at ``path`` (a file the user opened: menu, file manager, Finder)."""
        self.model_bar.set_models([], path, self._demo_path())
        self._on_model_chosen(path)

    def _load(self) -> None:
        # Needs both a chosen model and a listening worker; whichever comes second loads.
        if not (self._model_path and self._worker_ready):
            return
        self._worker_ready = False
        self._loaded = None
        self.read_ahead.stop()
        self.composer.set_can_send(False)
        self.model_bar.set_state("loading", self.tr("Loading…"), UNKNOWN_PROGRESS)
        self._model_name = model_label(self._model_path, self._demo_path())
        path, settings = self._model_path, self._settings

        def prepare() -> tuple[ModelSettings, FitEstimate | None]:
            from engine.models.fit import fit_for_path
            from engine.models.registry import settings_for_path

            own = settings_for_path(path)
            fit = None
            if Path(path).is_file():  # a GGUF file; MLX folders have no estimate
                with contextlib.suppress(Exception):  # no estimate: llama.cpp will tell
                    fit = fit_for_path(path, own.context_length or settings.n_ctx())
            return own, fit

        def send(own: ModelSettings) -> None:
            # A model's own settings (Models window) come before the app's.
            with contextlib.suppress(RuntimeError):  # died meanwhile: the banner will say so
                self._load_req = self.bridge.client.load(
                    path,
                    n_ctx=own.context_length or settings.n_ctx(),
                    n_threads=own.threads or settings.n_threads(),
                    n_gpu_layers=own.gpu_layers or 0,
                    guard_model=settings.guard_path(),
                    backend=settings.backend,
                    gpu_backend=settings.gpu_backend,
                    embedding_model=settings.embedding_path(),
                )

        def checked(found: tuple[ModelSettings, FitEstimate | None]) -> None:
            own, fit = found
            if (
                fit is not None
                and fit.verdict == WONT_FIT
                and not fit.fits_in_vram
                and path not in self._load_anyway
            ):
                self._ask_load_anyway(path, fit, lambda: send(own))
                return
            send(own)

        def unreadable(_exc: Exception) -> None:
            send(_no_model_settings())

        self.io.run(prepare, checked, unreadable)

    def _ask_load_anyway(self, path: str, fit: FitEstimate, send: Callable[[], None]) -> None:
        """The estimate says the model cannot fit: loading it would push the machine into swap
        (or get the worker killed), so the user decides, with the numbers in front of them."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Not enough memory"))
        box.setText(
            self.tr(
                "%1 needs about %2 at %3 tokens of context, and this computer has %4 "
                "available. Loading it may make the computer very slow, or fail."
            )
            .replace("%1", self._model_name)
            .replace("%2", format_size(fit.total_bytes))
            .replace("%3", QLocale().toString(fit.n_ctx))
            .replace("%4", format_size(fit.available_bytes))
        )
        box.setInformativeText(
            self.tr("A shorter context (the model's Settings in the Models window) needs less.")
        )
        load = box.addButton(self.tr("Load anyway"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if box.clickedButton() is load and self._model_path == path:
                self._load_anyway.add(path)
                send()
            else:
                self._worker_ready = True  # another model may be chosen now
                self.model_bar.set_state(
                    "stopped",
                    self.tr("Not loaded: not enough memory"),
                    detail=self.tr("needs %1, %2 available")
                    .replace("%1", format_size(fit.total_bytes))
                    .replace("%2", format_size(fit.available_bytes)),
                )
            box.deleteLater()

        box.finished.connect(answered)
        self.load_warning = box
        box.open()

    def _on_get_recommended(self) -> None:
        self.open_models(tab=1)

    # ================================================================ models and downloads

    def _start_downloads(self) -> None:
        """After the window is up: the download manager, and downloads an earlier run left
        paused (they resume where they stopped)."""
        from desktop.downloads import DownloadManager

        if self.downloads is not None or self.io.closed:
            return
        self.downloads = DownloadManager(self._settings.models_folder(), self)
        self.downloads.changed.connect(self._on_download_changed)
        self.downloads.finished.connect(lambda _key: self._scan_models())
        downloads = self.downloads

        def left_over() -> tuple[list[DownloadItem], str | None]:
            from engine.models.token import get_token

            items = downloads.find_paused()
            # Interrupted downloads resume at once; a gated one needs the token again.
            interrupted = any(i.state == "interrupted" for i in items)
            return items, (get_token() if interrupted else None)

        self.io.run(left_over, lambda found: downloads.adopt(*found))

    def open_models(self, tab: int = 0) -> None:
        from desktop.models_dialog import ModelsDialog

        if self.downloads is None:
            self._start_downloads()
        assert self.downloads is not None
        if self.models_dialog is None:
            self.models_dialog = ModelsDialog(self.io, self.downloads, self._settings.n_ctx(), self)
            self.models_dialog.use_model.connect(self._on_use_model)
            self.models_dialog.models_changed.connect(self._scan_models)
        self.models_dialog.tabs.setCurrentIndex(tab)
        self.models_dialog.show()
        self.models_dialog.raise_()

    def _on_use_model(self, path: str) -> None:
        self.model_bar.set_models([], path, self._demo_path())
        self._on_model_chosen(path)
        self._scan_models()

    def _on_download_changed(self, _key: str) -> None:
        assert self.downloads is not None
        active = self.downloads.active()
        if not active:
            self.download_label.setText("")
            return
        done = sum(i.done for i in active)
        total = sum(i.total for i in active) or 1
        self.download_label.setText(
            self.tr("Downloading %1 · %2%")
            .replace("%1", active[0].label)
            .replace("%2", f"{100 * done / total:.0f}")
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.drop_files(paths)

    def drop_files(self, paths: list[Path]) -> None:
        """Dropped files: models (.gguf) are imported, anything else is attached to the next
        message (folders give their documents)."""
        models = [p for p in paths if p.suffix.lower() == ".gguf"]
        documents = [p for p in paths if p not in models]
        if documents:
            self.composer.attachments.add_paths(documents)
        if models:
            self.open_models(tab=0)
            assert self.models_dialog is not None
            for path in models:
                self.models_dialog.import_file(path)

    # ================================================================ chat

    def send(self, text: str) -> None:
        """Send ``text`` as the next user message (or as the edit of the message being edited)."""
        if self._turn is not None or self._loaded is None or not text.strip():
            return
        place = self._next_message()
        if place is None:
            self._editing = None  # the message being edited is gone
            return
        path, parent_id, user_meta = place.path, place.parent_id, place.user_meta
        if not self._start_turn([*place.history, ChatMessage("user", text)], place.documents):
            return
        turn = self._turn
        assert turn is not None
        self.composer.text.clear()
        self.composer.attachments.clear()
        self.composer.end_edit()
        self._editing = None
        # On screen: the branch up to the new message, the message, the answer to come.
        if self.chat.views and len(self.chat.views) != len(path):
            self.chat.show_messages(views_for(self._thread.tree, path) if self._thread else [])
        user_temp = next(self._temp_ids)
        self.chat.append(MessageView(user_temp, "user", text, meta=user_meta))
        self._append_answer_widget(turn)

        store, cid, effort = self._store, turn.conversation_id, self.composer.effort_name()
        if store is None:
            return

        def save_user() -> tuple[int, int]:
            conv = cid
            if conv is None:
                conv = store.create_conversation(title_for(text), {"effort": effort})
            uid = store.add_message(conv, "user", text, parent_id=parent_id, meta=user_meta)
            turn.ids["conversation"], turn.ids["user"] = conv, uid
            return conv, uid

        def saved(ids: tuple[int, int]) -> None:
            conv, uid = ids
            turn.conversation_id = conv
            turn.parent_id = uid
            self.chat.replace(user_temp, MessageView(uid, "user", text, meta=user_meta))
            if cid is None:
                self.sidebar.set_current(conv)
            self._refresh_list()

        self.io.run(save_user, saved, self._on_save_failed)

    def _next_message(self) -> _Place | None:
        """Where the message being written goes; None when the message being edited is no
        longer there."""
        path = list(self._thread.path) if self._thread else []
        parent_id: int | None
        if self._editing is not None:
            idx = next((i for i, m in enumerate(path) if m.id == self._editing), None)
            if idx is None:
                return None
            parent_id = path[idx].parent_id
            path = path[:idx]
        else:
            parent_id = path[-1].id if path else None
        shown = [m for m in path if m.role in ("user", "assistant")]
        history = [ChatMessage(m.role, m.content) for m in shown]  # type: ignore[arg-type]
        attached = self.composer.attachments.ready_records()
        user_meta: dict[str, Any] = {"attachments": attached} if attached else {}
        documents = documents_payload([*((m.role, m.meta) for m in shown), ("user", user_meta)])
        return _Place(path, parent_id, history, user_meta, documents)

    def _on_composer_text_changed(self) -> None:
        text = self.composer.text.toPlainText()
        if text.strip():
            self._composing = True
        # The question's words are read as they are written.
        self.read_ahead.schedule(word_done=word_finished(text))

    def _read_ahead_draft(self) -> Draft | None:
        """What the message being written will be sent with, when its documents are worth
        reading now (see :mod:`desktop.read_ahead`): as soon as documents attached to it are
        read, or once the user writes in a chat that has documents from earlier questions (an
        old chat opened again is not in the worker's cache)."""
        attachments = self.composer.attachments
        if (
            not self._settings.read_ahead
            or self._turn is not None
            or self._loaded is None
            or attachments.reading
        ):
            return None
        place = self._next_message()
        if place is None or not place.documents:
            return None
        if not attachments.ready_records() and not self._composing:
            return None
        effort = self.composer.effort_name() if self._loaded.supports_effort else None
        return Draft(
            [*place.history, ChatMessage("user", self.composer.text.toPlainText().strip())],
            place.documents,
            str(attachments.reader.index_path),
            effort or "medium",
            self.max_tokens,
        )

    def regenerate(self, answer_id: int) -> None:
        if self._turn is not None or self._loaded is None or self._thread is None:
            return
        path = list(self._thread.path)
        idx = next((i for i, m in enumerate(path) if m.id == answer_id), None)
        if idx is None or path[idx].parent_id is None:
            return
        path = path[:idx]
        shown = [m for m in path if m.role in ("user", "assistant")]
        history = [ChatMessage(m.role, m.content) for m in shown]  # type: ignore[arg-type]
        if not self._start_turn(history, documents_payload([(m.role, m.meta) for m in shown])):
            return
        turn = self._turn
        assert turn is not None
        turn.conversation_id = self._thread.conversation.id
        turn.parent_id = path[-1].id
        turn.ids["user"] = path[-1].id
        self.chat.show_messages(views_for(self._thread.tree, path))
        self._append_answer_widget(turn)

    def _start_turn(
        self, messages: list[ChatMessage], documents: list[dict[str, Any]] | None = None
    ) -> bool:
        effort = (
            self.composer.effort_name() if self._loaded and self._loaded.supports_effort else None
        )
        index = self.composer.attachments.reader.index_path
        # What it read stays in the worker's cache: the question goes on from there.
        self.read_ahead.stop()
        try:
            req = self.bridge.client.generate(
                messages,
                effort=effort or "medium",
                max_tokens=self.max_tokens,
                seed=self.seed,
                reasoning=self._settings.reasoning_display,
                moderation=self._settings.moderation_layers,
                documents=documents or [],
                documents_index=str(index) if documents else None,
            )
        except RuntimeError:
            return False  # the worker just died; its WorkerExited event shows the banner
        temp = next(self._temp_ids)
        self._turn = _Turn(
            req=req,
            conversation_id=self._thread.conversation.id if self._thread else None,
            parent_id=None,
            record=AnswerRecord(req, display=self._settings.reasoning_display),
            widget=None,  # type: ignore[arg-type]  # set right after by _append_answer_widget
            temp_id=temp,
            model=self._model_name,
            effort=effort,
        )
        self.composer.set_busy(True)
        self.model_bar.set_state("generating", self.tr("Reading the prompt…"))
        return True

    def _append_answer_widget(self, turn: _Turn) -> None:
        turn.widget = self.chat.append(MessageView(turn.temp_id, "assistant", ""))
        turn.widget.begin_stream()
        self._flush_timer.start(FLUSH_MS)

    def stop(self) -> None:
        if self._turn is not None:
            # A dead worker cannot be cancelled; its exit event ends the answer instead.
            with contextlib.suppress(RuntimeError):
                self.bridge.client.cancel(self._turn.req)

    def _flush_stream(self) -> None:
        turn = self._turn
        if turn is not None and turn.dirty:
            turn.dirty = False
            t0 = time.perf_counter()
            turn.widget.update_stream(turn.record.content)
            spent_ms = (time.perf_counter() - t0) * 1000.0
            interval = next_flush_interval(spent_ms)
            if interval != self._flush_timer.interval():
                self._flush_timer.setInterval(interval)

    def _finish_turn(self, *, incomplete: bool = False, error: str | None = None) -> None:
        """Store the answer (whatever was written of it) and show its final form."""
        turn = self._turn
        if turn is None:
            return
        self._turn = None
        self._flush_timer.stop()
        record = turn.record
        meta = {**record.meta_json(), "model": turn.model}
        if turn.documents is not None:
            meta["documents"] = turn.documents
        if turn.sources:
            meta["sources"] = turn.sources
        if turn.effort:
            meta["effort"] = turn.effort
        if error:
            meta["error"] = error
        reasoning = record.reasoning_json()
        incomplete = incomplete or not record.complete
        content = record.content
        view = MessageView(turn.temp_id, "assistant", content, reasoning, meta, incomplete)
        turn.widget.refresh(view)
        self.composer.set_busy(False)
        if self._loaded is not None:
            self.model_bar.set_state("ready", self._ready_text(self._loaded))
        store = self._store
        if store is None:
            return

        def save() -> Thread | None:
            conv = turn.conversation_id or turn.ids.get("conversation")
            parent = turn.parent_id or turn.ids.get("user")
            if conv is None or parent is None:
                return None  # the question itself could not be saved
            mid = store.add_message(
                conv,
                "assistant",
                content,
                parent_id=parent,
                reasoning=reasoning,
                meta=meta,
                incomplete=incomplete,
            )
            store.update_conversation_settings(conv, {"leaf": mid})
            return load_thread(store, conv, mid)

        def saved(thread: Thread | None) -> None:
            if thread is None:
                return
            # Same branch on screen: give the widgets their stored ids and sibling counts.
            self._thread = thread
            self.read_ahead.schedule()  # documents attached while the answer was written
            self.chat.sync(thread.shown)
            if thread.leaf is not None:
                self.answer_saved.emit(thread.leaf)
            self._refresh_list()

        self.io.run(save, saved, self._on_save_failed)

    def _on_save_failed(self, exc: Exception) -> None:
        self._show_banner(
            self.tr("This chat could not be saved: %1").replace("%1", str(exc)), restart=False
        )

    def _on_effort_changed(self, effort: str) -> None:
        self.read_ahead.schedule()  # gpt-oss's effort comes before the documents in its prompt
        self._settings.extra["effort"] = effort
        self._save_settings()
        store, thread = self._store, self._thread
        if store is not None and thread is not None:
            cid = thread.conversation.id
            self.io.run(lambda: store.update_conversation_settings(cid, {"effort": effort}))

    def _on_edit_cancelled(self) -> None:
        self._editing = None
        self.composer.attachments.clear()
        self.read_ahead.schedule()

    # ================================================================ message actions

    def _on_message_action(self, name: str, message_id: int) -> None:
        if self._thread is None or message_id <= 0:
            return
        if name == "regenerate":
            self.regenerate(message_id)
        elif name == "edit":
            msg = next((m for m in self._thread.path if m.id == message_id), None)
            if msg is not None and self._turn is None:
                self._editing = message_id
                self.composer.begin_edit(msg.content)
                # The edited question goes with its documents unless they are removed; what
                # was on the tray before gives way to them.
                self.composer.attachments.show_records(msg.meta.get("attachments") or [])
        elif name == "delete":
            answer = QMessageBox.question(
                self,
                self.tr("Delete message"),
                self.tr("Delete this message and everything after it in this branch?"),
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.delete_message(message_id)
        elif name in ("previous", "next"):
            self.switch_branch(message_id, -1 if name == "previous" else 1)

    def switch_branch(self, message_id: int, step: int) -> None:
        thread = self._thread
        if thread is None or self._turn is not None:
            return
        siblings = thread.tree.siblings(message_id)
        i = siblings.index(message_id) + step
        if not 0 <= i < len(siblings):
            return
        leaf = thread.tree.latest_leaf(siblings[i])
        new = Thread(thread.conversation, thread.tree, thread.tree.path_to(leaf or siblings[i]))
        self._show_thread(new)
        self._remember_leaf(new)

    def delete_message(self, message_id: int) -> None:
        thread, store = self._thread, self._store
        if thread is None or store is None or self._turn is not None:
            return
        msg = next((m for m in thread.path if m.id == message_id), None)
        if msg is None:
            return
        others = [s for s in thread.tree.siblings(message_id) if s != message_id]
        leaf = thread.tree.latest_leaf(others[-1]) if others else msg.parent_id
        cid = thread.conversation.id

        def work() -> Thread | None:
            store.delete_message(message_id)
            store.update_conversation_settings(cid, {"leaf": leaf})
            return load_thread(store, cid, leaf)

        self.io.run(work, self._show_thread)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(self.tr("Copied"), 2000)

    # ================================================================ settings

    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self)
        dialog.setObjectName("settingsDialog")
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()

    def apply_settings(self, new: Settings) -> None:
        old = self._settings
        self._settings = new
        self._save_settings()
        self.read_ahead.schedule()  # switched on or off
        if new.theme != old.theme:
            from desktop.theme import apply_theme

            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, new.theme)
            self._colors = chat_colors(is_dark())
            self._apply_colors()
            self.welcome.set_colors(self._colors)
            if self._turn is None:  # an answer being written keeps its widget until it ends
                self.chat.set_colors(self._colors)
        if new.language != old.language:
            self.statusBar().showMessage(
                self.tr("The new language applies the next time Lanterna starts"), 8000
            )
        reload = (new.n_ctx(), new.n_threads(), new.guard_path(), new.backend) != (
            old.n_ctx(),
            old.n_threads(),
            old.guard_path(),
            old.backend,
        ) or new.embedding_path() != old.embedding_path()
        if new.models_dir != old.models_dir:
            self._scan_models()
        if new.gpu_backend != old.gpu_backend:
            # The worker picks its llama.cpp build once, when it first loads one: a new choice
            # takes a new worker, which loads the model again when it is ready.
            if self._turn is None:
                self._on_restart()
                return
            self.statusBar().showMessage(
                self.tr("The GPU choice applies when the engine restarts"), 8000
            )
        if reload and self._loaded is not None and self._turn is None:
            self._worker_ready = True
            self._load()

    def _save_settings(self) -> None:
        snapshot = replace(self._settings, extra=dict(self._settings.extra))
        self.io.run(lambda: save_settings(snapshot))

    # ================================================================ engine events

    @Slot(object)
    def _on_engine_event(self, ev: object) -> None:
        turn = self._turn
        if isinstance(ev, WorkerExited):
            # Checked first: it carries the req of the answer it cut short.
            if not ev.expected:
                self._on_worker_exited(ev)
        elif isinstance(ev, p.Ready):
            self._worker_ready = True
            if not self._no_model:  # "No model" stays until one is chosen
                self.model_bar.set_state("starting", self.tr("Engine ready"))
            self._load()
        elif isinstance(ev, p.LoadProgress):
            self.model_bar.set_state(
                "loading",
                self.tr("Loading… %1%").replace("%1", f"{ev.fraction * 100:.0f}"),
                ev.fraction,
            )
        elif isinstance(ev, p.Loaded):
            self._on_loaded(ev)
        elif self.read_ahead.handle(ev):
            pass
        elif turn is not None and getattr(ev, "req", None) == turn.req:
            self._on_turn_event(turn, ev)
        elif isinstance(ev, p.Error) and ev.req == self._load_req:
            self.model_bar.set_state("error", self.tr("Not loaded"))
            said = describe_error(ev.kind, ev.message, loading=True)
            text = self.tr("The model could not be loaded: %1").replace("%1", said.sentence)
            self._show_banner(f"{text}\n{said.detail}" if said.detail else text, restart=False)
            self._worker_ready = True  # the worker is still there: another model may load
            self.load_failed.emit(ev.message)
        elif isinstance(ev, p.Error):
            self._show_banner(describe_error(ev.kind, ev.message).block(), restart=False)

    def _on_loaded(self, ev: p.Loaded) -> None:
        self._loaded = ev
        self._load_req = None
        self.composer.set_effort_control(ev.supports_effort)
        self.composer.set_can_send(True)
        self.model_bar.set_state("ready", self._ready_text(ev), detail=ev.device_note)
        self.read_ahead.schedule()
        wanted = self._settings.gpu_backend
        if ev.guard in ("missing", "failed"):
            msg = ev.guard_message
            self._show_banner(msg[:1].upper() + msg[1:], restart=False)
        elif ev.backend == "llamacpp" and wanted not in ("auto", ev.device) and ev.device_note:
            # The GPU chosen in settings could not be had: say why the CPU runs the model.
            self._show_banner(ev.device_note, restart=False)
        elif self.restart_button.isVisible():
            # The engine is back; a message the user has not dismissed yet stays.
            self.banner.hide()

    def _on_read_ahead_status(self, text: str, fraction: float) -> None:
        if self._turn is None and self._loaded is not None:
            self.model_bar.set_state("ready", text, fraction)

    def _on_read_ahead_finished(self, read: bool) -> None:
        if self._turn is None and self._loaded is not None:
            self.model_bar.set_state("ready", self._ready_text(self._loaded))
            if read:
                self.statusBar().showMessage(
                    self.tr("Attached documents read: ready for your question"),
                    8000,
                )

    def _ready_text(self, loaded: p.Loaded) -> str:
        # "llama.cpp · CUDA (NVIDIA GeForce RTX 4090) · GPU layers: 25", "llama.cpp · CPU"
        engine = BACKEND_NAMES.get(loaded.backend, loaded.backend)
        device = DEVICE_NAMES.get(loaded.device, loaded.device)
        if loaded.device_name:
            device = f"{device} ({loaded.device_name})"
        runs_on = f"{engine} · {device}"
        if loaded.backend == "llamacpp" and loaded.device != "cpu":
            layers = self.tr("GPU layers: %1").replace("%1", str(loaded.gpu_layers))
            runs_on = f"{runs_on} · {layers}"
        return (
            self.tr("Ready · %1 · %2 tokens of context")
            .replace("%1", runs_on)
            .replace("%2", QLocale().toString(loaded.n_ctx))
        )

    def _on_turn_event(self, turn: _Turn, ev: object) -> None:
        if isinstance(ev, p.Message):
            turn.record.feed(ev)
        if isinstance(ev, p.DocumentsPlan):
            turn.documents = plan_json(ev)
            turn.widget.show_documents(turn.documents_meta())
        elif isinstance(ev, p.ToolCallEvent):
            turn.widget.show_documents(turn.documents_meta())  # a search of the documents
        elif isinstance(ev, p.Sources):
            turn.sources = [dict(s) for s in ev.sources]
            turn.widget.show_documents(turn.documents_meta())
        elif isinstance(ev, p.PromptProgress):
            text = turn.progress.text(ev.stage, ev.done, ev.total, time.monotonic())
            self.model_bar.set_state("generating", text, ev.done / max(1, ev.total))
            turn.widget.set_status(text)
        elif isinstance(ev, p.Started):
            self.model_bar.set_state("generating", self.tr("Answering…"))
            turn.widget.set_status(self.tr("Answering…"))
        elif isinstance(ev, p.Text):
            turn.dirty = True
        elif isinstance(ev, p.Reasoning):
            turn.widget.set_reasoning_stats(ev.seconds, ev.tokens)
            if ev.text is not None:
                turn.widget.add_reasoning_segment(
                    {"text": ev.text, "categories": ev.categories, "withheld": ev.withheld}
                )
            self.model_bar.set_state("generating", self.tr("Thinking…"))
        elif isinstance(ev, p.Done):
            self._flush_stream()
            if ev.summary_pending:
                turn.widget.set_status(self.tr("Summarising the reasoning…"))
            else:
                self._finish_turn()
        elif isinstance(ev, p.ReasoningSummary):
            self._finish_turn()
        elif isinstance(ev, p.Error):
            self._flush_stream()
            self._finish_turn(incomplete=True, error=self._error_text(ev))

    def _error_text(self, ev: p.Error) -> str:
        """What went wrong with an answer, in the user's language, with the worker's English
        words after it (:mod:`desktop.engine_errors`)."""
        n_ctx = self._loaded.n_ctx if self._loaded else 0
        return describe_error(ev.kind, ev.message, n_ctx=n_ctx).inline()

    def _on_worker_exited(self, ev: WorkerExited) -> None:
        if self._turn is not None:
            self._flush_stream()
            self._finish_turn(incomplete=True, error=self.tr("the engine stopped"))
        self._loaded = None
        self._worker_ready = False
        self.read_ahead.stop()
        self.composer.set_can_send(False)
        self.model_bar.set_state("stopped", self.tr("Engine stopped"))
        self._show_banner(
            self.tr("The engine stopped: %1. Your conversation is kept.").replace(
                "%1", describe_exit(ev.signal, ev.exit_code)
            ),
            restart=True,
        )

    def _show_banner(self, text: str, *, restart: bool) -> None:
        self.banner_text.setText(text)
        self.restart_button.setVisible(restart)
        self.banner.show()

    def _on_restart(self) -> None:
        self.banner.hide()
        self.model_bar.set_state("starting", self.tr("Restarting the engine…"))
        try:
            self.bridge.client.restart()
        except WorkerStartError as exc:
            self._show_banner(str(exc), restart=True)

    # ================================================================ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._turn is not None:
            # Keep what was written: stored as an incomplete answer before the I/O thread ends.
            self._flush_stream()
            self._finish_turn(incomplete=True)
        self.bridge.client.shutdown(timeout=2.0)
        self.composer.attachments.shutdown()
        if self.downloads is not None:
            self.downloads.shutdown()  # paused: the next start resumes them
        if self.models_dialog is not None:
            self.models_dialog.close()
        self.io.shutdown()
        if self._store is not None:
            self._store.close()
            self._store = None
        super().closeEvent(event)


def _no_model_settings() -> ModelSettings:
    from engine.models.registry import ModelSettings

    return ModelSettings()
