"""The Models window: what is installed, what to get (catalog and Hugging Face search, each with
a will-it-fit estimate), the downloads, and the token for gated models.

It is not modal: downloads go on, and stay listed, while the user chats. Disk and registry work
runs on the window's I/O thread, network on a thread of its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.background import Background
from desktop.downloads import DownloadItem, DownloadManager
from engine.models.catalog import CatalogEntry
from engine.models.download import RemoteFile, RepoSummary
from engine.models.fit import FitEstimate
from engine.models.registry import InstalledModel

GIB = 1024**3


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def _table(parent: QWidget, headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(text: str, data: object = None, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    if tip:
        item.setToolTip(tip)
    return item


class ModelsDialog(QDialog):
    """Signals:
    use_model(str): load this model (a path).
    models_changed(): something was installed, imported or removed.
    """

    use_model = Signal(str)
    models_changed = Signal()

    def __init__(
        self, io: Background, downloads: DownloadManager, n_ctx: int, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.setObjectName("modelsDialog")
        self.resize(860, 520)
        self._io = io
        self._net = Background(self)
        self._downloads = downloads
        self._n_ctx = n_ctx
        self._catalog: list[CatalogEntry] = []
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_installed(), self.tr("Installed"))
        self.tabs.addTab(self._build_get(), self.tr("Get models"))
        self.tabs.addTab(self._build_downloads(), self.tr("Downloads"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        downloads.changed.connect(self._on_download_changed)
        downloads.finished.connect(lambda _key: self.refresh_installed())
        for item in downloads.items.values():
            self._on_download_changed(item.key)
        self.refresh_installed()
        self.refresh_catalog()

    # ================================================================ installed

    def _build_installed(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        self.installed = _table(
            page,
            [
                self.tr("Name"),
                self.tr("Size"),
                self.tr("Architecture"),
                self.tr("Quantisation"),
                self.tr("Context"),
                self.tr("Location"),
            ],
            "installedModels",
        )
        self.installed.setAccessibleName(self.tr("Installed models"))
        self.installed.doubleClicked.connect(lambda _i: self._on_use())
        row = QHBoxLayout()
        use = QPushButton(self.tr("Use"), page)
        use.clicked.connect(self._on_use)
        imp = QPushButton(self.tr("Import a GGUF file…"), page)
        imp.clicked.connect(self._on_import_clicked)
        remove = QPushButton(self.tr("Remove…"), page)
        remove.clicked.connect(self._on_remove)
        own = QPushButton(self.tr("Settings…"), page)
        own.setToolTip(self.tr("This model's context length, threads and GPU layers"))
        own.clicked.connect(self._on_model_settings)
        self.installed_note = QLabel("", page)
        self.installed_note.setWordWrap(True)
        for w in (use, imp, own, remove):
            row.addWidget(w)
        row.addWidget(self.installed_note, 1)
        col.addWidget(self.installed, 1)
        col.addLayout(row)
        return page

    def refresh_installed(self) -> None:
        from engine.models.registry import list_models

        self._io.run(list_models, self._show_installed, self._on_failed)

    def _show_installed(self, models: list[InstalledModel]) -> None:
        self.installed.setRowCount(0)
        for m in models:
            r = self.installed.rowCount()
            self.installed.insertRow(r)
            tip = m.problem or str(m.path)
            self.installed.setItem(r, 0, _cell(m.name, m, tip))
            self.installed.setItem(r, 1, _cell(human_size(m.size)))
            self.installed.setItem(r, 2, _cell(m.architecture))
            self.installed.setItem(r, 3, _cell(m.quantisation))
            self.installed.setItem(r, 4, _cell(f"{m.context_length:,}" if m.context_length else ""))
            self.installed.setItem(r, 5, _cell(m.problem or str(m.path), tip=tip))

    def _selected_installed(self) -> InstalledModel | None:
        row = self.installed.currentRow()
        item = self.installed.item(row, 0) if row >= 0 else None
        model = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return model if isinstance(model, InstalledModel) else None

    def _on_use(self) -> None:
        model = self._selected_installed()
        if model is not None and model.embedding:
            # It cannot chat; it serves document search, chosen in the settings.
            self.installed_note.setText(
                self.tr(
                    "%1 is an embedding model for document search: choose it in Settings."
                ).replace("%1", model.name)
            )
            return
        if model is not None and not model.problem:
            self.use_model.emit(str(model.path))

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import a model"), "", self.tr("GGUF models (*.gguf)")
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Validate and register ``path``; the verdict shows under the list."""
        from engine.models.registry import RegistryError, import_model

        self.installed_note.setText(self.tr("Checking %1…").replace("%1", path.name))

        def done(model: InstalledModel) -> None:
            self.installed_note.setText(self.tr("Imported %1").replace("%1", model.name))
            self.refresh_installed()
            self.models_changed.emit()

        def failed(exc: Exception) -> None:
            shown = str(exc) if isinstance(exc, RegistryError) else f"{type(exc).__name__}: {exc}"
            self.installed_note.setText(self.tr("Not imported: %1").replace("%1", shown))

        self._io.run(lambda: import_model(path), done, failed)

    def _on_model_settings(self) -> None:
        model = self._selected_installed()
        if model is None:
            return
        dialog = ModelSettingsDialog(model, self)
        dialog.accepted.connect(lambda: self.save_model_settings(model, *dialog.values()))
        dialog.open()

    def save_model_settings(
        self, model: InstalledModel, context_length: int, threads: int, gpu_layers: int
    ) -> None:
        from engine.models.registry import set_model_settings

        def work() -> object:
            return set_model_settings(
                model.name,
                context_length=context_length,
                threads=threads,
                gpu_layers=gpu_layers or None,
            )

        def done(_s: object) -> None:
            self.installed_note.setText(
                self.tr("Settings of %1 saved; they apply the next time it loads.").replace(
                    "%1", model.name
                )
            )
            self.refresh_installed()

        self._io.run(work, done, self._on_failed)

    def _on_remove(self) -> None:
        model = self._selected_installed()
        if model is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove model"),
            self.tr("Remove %1? Its file is deleted when it is in the models folder.").replace(
                "%1", model.name
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(model)

    def remove(self, model: InstalledModel) -> None:
        from engine.models.registry import remove_model

        def done(_m: InstalledModel) -> None:
            self.refresh_installed()
            self.models_changed.emit()

        self._io.run(
            lambda: remove_model(model.name, delete_file=not model.imported), done, self._on_failed
        )

    # ================================================================ get models

    def _build_get(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        self.catalog = _table(
            page,
            [self.tr("Model"), self.tr("Download"), self.tr("Licence"), self.tr("Fits?")],
            "catalog",
        )
        self.catalog.setAccessibleName(self.tr("Recommended models"))
        get = QPushButton(self.tr("Download"), page)
        get.setObjectName("downloadCatalog")
        get.clicked.connect(self._on_download_catalog)
        col.addWidget(self.catalog, 3)
        col.addWidget(get, 0, Qt.AlignmentFlag.AlignRight)

        search_row = QHBoxLayout()
        self.search = QLineEdit(page)
        self.search.setPlaceholderText(self.tr("Search Hugging Face for GGUF models"))
        self.search.setAccessibleName(self.tr("Search Hugging Face"))
        self.search.returnPressed.connect(self._on_search)
        go = QPushButton(self.tr("Search"), page)
        go.clicked.connect(self._on_search)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(go)
        col.addLayout(search_row)
        lists = QHBoxLayout()
        self.repos = _table(page, [self.tr("Repository"), self.tr("Downloads")], "repos")
        self.repos.itemSelectionChanged.connect(self._on_repo_selected)
        self.files = _table(
            page, [self.tr("File"), self.tr("Size"), self.tr("Quantisation")], "files"
        )
        lists.addWidget(self.repos, 1)
        lists.addWidget(self.files, 1)
        col.addLayout(lists, 2)
        file_row = QHBoxLayout()
        self.search_note = QLabel("", page)
        self.search_note.setWordWrap(True)
        get_file = QPushButton(self.tr("Download file"), page)
        get_file.clicked.connect(self._on_download_file)
        file_row.addWidget(self.search_note, 1)
        file_row.addWidget(get_file)
        col.addLayout(file_row)

        token_row = QHBoxLayout()
        self.token = QLineEdit(page)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("Hugging Face token, for gated models"))
        self.token.setAccessibleName(self.tr("Hugging Face token"))
        save = QPushButton(self.tr("Save token"), page)
        save.clicked.connect(self._on_save_token)
        self.token_note = QLabel("", page)
        self.token_note.setWordWrap(True)
        token_row.addWidget(self.token, 1)
        token_row.addWidget(save)
        col.addLayout(token_row)
        col.addWidget(self.token_note)
        return page

    def refresh_catalog(self) -> None:
        import platform

        from engine.models.catalog import entries_for_platform
        from engine.models.fit import FitError, detect_memory, fit_for_entry

        n_ctx = self._n_ctx

        def work() -> list[tuple[CatalogEntry, FitEstimate | None]]:
            machine = detect_memory()
            out: list[tuple[CatalogEntry, FitEstimate | None]] = []
            for entry in entries_for_platform(platform.system(), platform.machine()):
                try:
                    out.append((entry, fit_for_entry(entry, n_ctx, machine)))
                except FitError:
                    out.append((entry, None))
            return out

        self._io.run(work, self._show_catalog, self._on_failed)

    def _show_catalog(self, rows: list[tuple[CatalogEntry, FitEstimate | None]]) -> None:
        self.catalog.setRowCount(0)
        self._catalog = [entry for entry, _ in rows]
        for entry, fit in rows:
            r = self.catalog.rowCount()
            self.catalog.insertRow(r)
            title = entry.title + (self.tr(" (recommended)") if entry.recommended else "")
            self.catalog.setItem(r, 0, _cell(title, entry, entry.note))
            size = self.tr("included") if entry.bundled else human_size(entry.size_bytes)
            self.catalog.setItem(r, 1, _cell(size))
            self.catalog.setItem(r, 2, _cell(entry.license))
            text, tip = _fit_text(fit, self._n_ctx)
            verdicts = {
                "fits": self.tr("fits"),
                "tight": self.tr("tight"),
                "won't fit": self.tr("won't fit"),
            }
            for english, shown in verdicts.items():
                text = text.replace(english, shown, 1) if text.startswith(english) else text
            self.catalog.setItem(r, 3, _cell(text, tip=tip))

    def _on_download_catalog(self) -> None:
        row = self.catalog.currentRow()
        item = self.catalog.item(row, 0) if row >= 0 else None
        entry = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(entry, CatalogEntry) or entry.bundled:
            return
        if not entry.files:
            self.start_download(entry.repository, "")  # an MLX model folder, all of it
            return
        for f in entry.files:
            self.start_download(entry.repository, f.name)

    def _on_search(self) -> None:
        from engine.models.download import search_models

        query = self.search.text().strip()
        if not query:
            return
        self.search_note.setText(self.tr("Searching…"))
        self._net.run(lambda: search_models(query, limit=30), self._show_repos, self._on_net_failed)

    def _show_repos(self, repos: list[RepoSummary]) -> None:
        self.search_note.setText(self.tr("%1 repositories").replace("%1", str(len(repos))))
        self.repos.setRowCount(0)
        self.files.setRowCount(0)
        for repo in repos:
            r = self.repos.rowCount()
            self.repos.insertRow(r)
            gated = self.tr(" (gated)") if repo.gated else ""
            self.repos.setItem(r, 0, _cell(repo.repo_id + gated, repo.repo_id))
            self.repos.setItem(r, 1, _cell(f"{repo.downloads:,}"))

    def _on_repo_selected(self) -> None:
        from engine.models.download import list_gguf_files

        row = self.repos.currentRow()
        item = self.repos.item(row, 0) if row >= 0 else None
        repo = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(repo, str):
            return
        self._net.run(
            lambda: list_gguf_files(repo),
            lambda files: self._show_files(repo, files),
            self._on_net_failed,
        )

    def _show_files(self, repo: str, files: list[RemoteFile]) -> None:
        self.files.setRowCount(0)
        for f in files:
            r = self.files.rowCount()
            self.files.insertRow(r)
            self.files.setItem(r, 0, _cell(f.name, (repo, f.name)))
            self.files.setItem(r, 1, _cell(human_size(f.size)))
            self.files.setItem(r, 2, _cell(f.quantisation or ""))

    def _on_download_file(self) -> None:
        row = self.files.currentRow()
        item = self.files.item(row, 0) if row >= 0 else None
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(data, (tuple, list)) and len(data) == 2:
            self.start_download(str(data[0]), str(data[1]))

    def _on_net_failed(self, exc: Exception) -> None:
        self.search_note.setText(
            self.tr("Hugging Face could not be reached: %1").replace("%1", str(exc))
        )

    def _on_save_token(self) -> None:
        from engine.models.token import TokenError, set_token

        text = self.token.text().strip()
        self.token.clear()  # the token never stays in a widget longer than needed
        if not text:
            return

        def done(where: object) -> None:
            if str(where) == "keyring":
                self.token_note.setText(self.tr("Token saved in the system keyring."))
            else:
                self.token_note.setText(
                    self.tr("No system keyring here: the token is kept until Lanterna closes.")
                )

        def failed(exc: Exception) -> None:
            if isinstance(exc, TokenError):
                self.token_note.setText(str(exc))
            else:
                self.token_note.setText(self.tr("The token could not be saved."))

        self._io.run(lambda: set_token(text), done, failed)

    # ================================================================ downloads

    def _build_downloads(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        self.download_table = _table(
            page,
            [
                self.tr("File"),
                self.tr("Progress"),
                self.tr("Speed"),
                self.tr("Time left"),
                self.tr("State"),
            ],
            "downloads",
        )
        self.download_table.setAccessibleName(self.tr("Downloads"))
        row = QHBoxLayout()
        for text, slot in (
            (self.tr("Pause"), self._downloads.pause),
            (self.tr("Resume"), self._resume),
            (self.tr("Cancel"), self._downloads.cancel),
        ):
            button = QPushButton(text, page)
            button.clicked.connect(lambda _c=False, s=slot: self._on_selected_download(s))
            row.addWidget(button)
        row.addStretch(1)
        col.addWidget(self.download_table, 1)
        col.addLayout(row)
        self._download_rows: dict[str, int] = {}
        return page

    def start_download(self, repo: str, filename: str) -> str:
        """Start (or resume) a download; returns its key at once."""
        from desktop.downloads import download_key
        from engine.models.token import get_token

        # The keyring may have to wake a system service: asked on the I/O thread.
        def start(token: str | None) -> None:
            self._downloads.start(repo, filename, token)

        self._io.run(get_token, start)
        self.tabs.setCurrentIndex(2)
        return download_key(repo, filename)

    def _resume(self, key: str) -> None:
        item = self._downloads.items.get(key)
        if item is not None:
            self.start_download(item.repo, item.filename)

    def _on_selected_download(self, action: object) -> None:
        row = self.download_table.currentRow()
        item = self.download_table.item(row, 0) if row >= 0 else None
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(key, str) and callable(action):
            action(key)

    def _on_download_changed(self, key: str) -> None:
        item = self._downloads.items.get(key)
        if item is None:
            return
        row = self._download_rows.get(key)
        if row is None:
            row = self.download_table.rowCount()
            self.download_table.insertRow(row)
            self._download_rows[key] = row
            new_bar = QProgressBar(self.download_table)
            new_bar.setRange(0, 1000)
            self.download_table.setCellWidget(row, 1, new_bar)
            self.download_table.setItem(row, 0, _cell(item.label, key, item.repo))
        bar = self.download_table.cellWidget(row, 1)
        if isinstance(bar, QProgressBar):
            bar.setValue(int(1000 * item.done / item.total) if item.total else 0)
            bar.setFormat(f"{human_size(item.done)} / {human_size(item.total)}")
            bar.setTextVisible(True)
        speed = f"{human_size(item.speed)}/s" if item.state == "downloading" else ""
        self.download_table.setItem(row, 2, _cell(speed))
        self.download_table.setItem(row, 3, _cell(_eta_text(item)))
        state = self._state_text(item)
        self.download_table.setItem(row, 4, _cell(state, tip=item.error))

    def _state_text(self, item: DownloadItem) -> str:
        names = {
            "queued": self.tr("Starting"),
            "checking": self.tr("Checking what is on disk"),
            "downloading": self.tr("Downloading"),
            "paused": self.tr("Paused"),
            "failed": self.tr("Failed: %1").replace("%1", item.error),
            "done": self.tr("Done · verified"),
            "cancelled": self.tr("Cancelled"),
        }
        return names.get(item.state, item.state)

    def _on_failed(self, exc: Exception) -> None:
        self.installed_note.setText(str(exc))

    def closeEvent(self, event: object) -> None:
        self._net.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]


def _fit_text(fit: FitEstimate | None, n_ctx: int) -> tuple[str, str]:
    if fit is None:
        return "?", ""
    tip = (
        f"weights {fit.weights_bytes / GIB:.1f} GiB + KV cache {fit.kv_bytes / GIB:.2f} GiB"
        f" ({n_ctx:,} tokens) + overhead {fit.overhead_bytes / GIB:.1f} GiB"
        f" = {fit.total_bytes / GIB:.1f} GiB of {fit.available_bytes / GIB:.1f} GiB available"
    )
    return f"{fit.verdict} · {fit.total_bytes / GIB:.1f} GiB", tip


def _eta_text(item: DownloadItem) -> str:
    if item.state != "downloading" or item.eta is None:
        return ""
    minutes, seconds = divmod(int(item.eta), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class ModelSettingsDialog(QDialog):
    """One model's own context length, threads and GPU layers (0: the app's setting)."""

    def __init__(self, model: InstalledModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings of %1").replace("%1", model.name))
        form = QFormLayout(self)
        current = model.settings
        self.context = QSpinBox(self)
        self.context.setRange(0, 1 << 20)
        self.context.setSingleStep(1024)
        self.context.setSpecialValueText(self.tr("App setting"))
        self.context.setValue(current.context_length)
        self.threads = QSpinBox(self)
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText(self.tr("App setting"))
        self.threads.setValue(current.threads)
        self.gpu = QSpinBox(self)
        self.gpu.setRange(-1, 999)
        self.gpu.setSpecialValueText(self.tr("All"))
        self.gpu.setValue(current.gpu_layers or 0)
        self.gpu.setToolTip(self.tr("Layers on the GPU where the backend has one; 0: none"))
        for label, box in (
            (self.tr("Context length (tokens)"), self.context),
            (self.tr("CPU threads"), self.threads),
            (self.tr("GPU layers"), self.gpu),
        ):
            box.setAccessibleName(label)
            form.addRow(label, box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[int, int, int]:
        context = self.context.value()
        # Below 512 tokens nothing useful fits; the registry refuses it too.
        return (
            context if context == 0 or context >= 512 else 512,
            self.threads.value(),
            self.gpu.value(),
        )
