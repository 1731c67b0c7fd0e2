"""The Models window: what is installed, what to get (catalog and Hugging Face search, each with
a will-it-fit estimate), the downloads, and the token for gated models.

It is not modal: downloads go on, and stay listed, while the user chats. Disk and registry work
runs on the window's I/O thread, network on a thread of its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.background import Background
from desktop.downloads import DownloadManager
from desktop.model_tables import ROW_PADDING, cell, default_size, make_table, rows_height
from desktop.model_text import (
    catalog_title,
    catalog_tooltip,
    download_progress_text,
    download_state_text,
    eta_text,
    fit_text,
    format_count,
    format_size,
)
from engine.models.catalog import CatalogEntry
from engine.models.download import RemoteFile, RepoSummary
from engine.models.fit import FitEstimate
from engine.models.registry import InstalledModel

# The catalog opens tall enough for this many entries; more scroll.
CATALOG_ROWS_SHOWN = 10


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
        self.resize(*default_size(self))
        self._io = io
        self._net = Background(self)
        self._downloads = downloads
        self._n_ctx = n_ctx
        self._catalog: list[CatalogEntry] = []
        self._demo_names: frozenset[str] = frozenset()
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
        self.installed = make_table(
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
        self.remove_button = QPushButton(self.tr("Remove…"), page)
        self.remove_button.clicked.connect(self._on_remove)
        self.installed.itemSelectionChanged.connect(self._update_remove_button)
        own = QPushButton(self.tr("Settings…"), page)
        own.setToolTip(self.tr("This model's context length, threads and GPU layers"))
        own.clicked.connect(self._on_model_settings)
        self.installed_note = QLabel("", page)
        self.installed_note.setWordWrap(True)
        for w in (use, imp, own, self.remove_button):
            row.addWidget(w)
        row.addWidget(self.installed_note, 1)
        col.addWidget(self.installed, 1)
        col.addLayout(row)
        return page

    def refresh_installed(self) -> None:
        from engine.models.demo import demo_model_path
        from engine.models.registry import ModelRegistry

        def work() -> tuple[list[InstalledModel], frozenset[str]]:
            registry = ModelRegistry()
            models = registry.list_models()
            # The copy the app prepares in the models folder; an imported copy is the user's.
            demo = demo_model_path(registry.models_folder).resolve()
            names = [m.name for m in models if not m.imported and m.path.resolve() == demo]
            return models, frozenset(names)

        self._io.run(work, lambda found: self._show_installed(*found), self._on_failed)

    def _show_installed(
        self, models: list[InstalledModel], demo_names: frozenset[str] = frozenset()
    ) -> None:
        self._demo_names = demo_names
        self.installed.setRowCount(0)
        for m in models:
            r = self.installed.rowCount()
            self.installed.insertRow(r)
            tip = m.problem or str(m.path)
            if self.is_demo(m):
                tip = f"{self._demo_note()}\n{tip}"
            self.installed.setItem(r, 0, cell(m.name, m, tip))
            self.installed.setItem(r, 1, cell(format_size(m.size)))
            self.installed.setItem(r, 2, cell(m.architecture))
            self.installed.setItem(r, 3, cell(m.quantisation))
            context = format_count(m.context_length) if m.context_length else ""
            self.installed.setItem(r, 4, cell(context))
            self.installed.setItem(r, 5, cell(m.problem or str(m.path), tip=tip))
        self._update_remove_button()

    def is_demo(self, model: InstalledModel) -> bool:
        """The bundled demo model, in the models folder where the app prepares it."""
        return not model.imported and model.name in self._demo_names

    def _demo_note(self) -> str:
        return self.tr(
            "The demo model comes with Lanterna, which falls back on it when no other model is "
            "chosen. It cannot be removed: Lanterna would prepare it again at the next start."
        )

    def _update_remove_button(self) -> None:
        # The demo model is protected rather than removable: the app rebuilds it from its
        # package whenever it is missing, so removing it would free the space only until the
        # next start, and while it is the model in use its file would vanish under the engine.
        model = self._selected_installed()
        demo = model is not None and self.is_demo(model)
        self.remove_button.setEnabled(not demo)
        self.remove_button.setToolTip(self._demo_note() if demo else "")

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
        from desktop.model_settings_dialog import ModelSettingsDialog

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
        if model is None or self.is_demo(model):
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

        if self.is_demo(model):
            self.installed_note.setText(self._demo_note())
            return

        def done(_m: InstalledModel) -> None:
            self.refresh_installed()
            self.models_changed.emit()

        self._io.run(
            lambda: remove_model(model.name, delete_file=not model.imported), done, self._on_failed
        )

    # ================================================================ get models

    def _build_get(self) -> QWidget:
        page = QWidget(self)
        # The catalog above, the Hugging Face search below; the catalog opens tall enough for
        # all its entries (see _show_catalog) and the divider gives either side more room.
        self.get_splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.get_splitter.setChildrenCollapsible(False)
        QVBoxLayout(page).addWidget(self.get_splitter)
        top = QWidget(self.get_splitter)
        top_col = QVBoxLayout(top)
        top_col.setContentsMargins(0, 0, 0, 0)
        self.catalog = make_table(
            top,
            [self.tr("Model"), self.tr("Download"), self.tr("Licence"), self.tr("Fits?")],
            "catalog",
            elide=Qt.TextElideMode.ElideRight,
        )
        self.catalog.setAccessibleName(self.tr("Recommended models"))
        self.catalog.itemSelectionChanged.connect(self._update_catalog_button)
        self.download_catalog_button = QPushButton(self.tr("Download"), top)
        self.download_catalog_button.setObjectName("downloadCatalog")
        self.download_catalog_button.clicked.connect(self._on_download_catalog)
        top_col.addWidget(self.catalog, 1)
        top_col.addWidget(self.download_catalog_button, 0, Qt.AlignmentFlag.AlignRight)
        self.get_splitter.addWidget(top)
        lower = QWidget(self.get_splitter)  # the search
        self.get_splitter.addWidget(lower)
        self.get_splitter.setStretchFactor(0, 0)
        self.get_splitter.setStretchFactor(1, 1)
        col = QVBoxLayout(lower)
        col.setContentsMargins(0, 0, 0, 0)

        search_row = QHBoxLayout()
        self.search = QLineEdit(lower)
        self.search.setPlaceholderText(self.tr("Search Hugging Face for GGUF models"))
        self.search.setAccessibleName(self.tr("Search Hugging Face"))
        self.search.returnPressed.connect(self._on_search)
        go = QPushButton(self.tr("Search"), lower)
        go.clicked.connect(self._on_search)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(go)
        col.addLayout(search_row)
        lists = QHBoxLayout()
        self.repos = make_table(
            lower, [self.tr("Repository"), self.tr("Downloads")], "repos", stretch=0
        )
        self.repos.itemSelectionChanged.connect(self._on_repo_selected)
        self.files = make_table(
            lower, [self.tr("File"), self.tr("Size"), self.tr("Quantisation")], "files", stretch=0
        )
        lists.addWidget(self.repos, 1)
        lists.addWidget(self.files, 1)
        col.addLayout(lists, 1)
        file_row = QHBoxLayout()
        self.search_note = QLabel("", lower)
        self.search_note.setWordWrap(True)
        get_file = QPushButton(self.tr("Download file"), lower)
        get_file.clicked.connect(self._on_download_file)
        file_row.addWidget(self.search_note, 1)
        file_row.addWidget(get_file)
        col.addLayout(file_row)

        token_row = QHBoxLayout()
        self.token = QLineEdit(lower)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("Hugging Face token, for gated models"))
        self.token.setAccessibleName(self.tr("Hugging Face token"))
        save = QPushButton(self.tr("Save token"), lower)
        save.clicked.connect(self._on_save_token)
        self.token_note = QLabel("", lower)
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
            # The tooltip describes the model from its facts, in the user's language; the
            # catalog's own note (how its size and checksum were verified) is for maintainers.
            self.catalog.setItem(r, 0, cell(catalog_title(entry), entry, catalog_tooltip(entry)))
            size = format_size(entry.size_bytes)
            if entry.bundled:
                size = self.tr("included")
            elif entry.size_approximate:
                size = f"≈ {size}"
            self.catalog.setItem(r, 1, cell(size))
            self.catalog.setItem(r, 2, cell(entry.license))
            text, tip = fit_text(fit)
            self.catalog.setItem(r, 3, cell(text, tip=tip))
        # Every entry in view (up to a screenful): the search below takes the height left,
        # and the divider between them gives it more.
        shown = min(self.catalog.rowCount(), CATALOG_ROWS_SHOWN)
        self.catalog.setMinimumHeight(rows_height(self.catalog, shown))
        self._update_catalog_button()

    def _selected_entry(self) -> CatalogEntry | None:
        row = self.catalog.currentRow()
        item = self.catalog.item(row, 0) if row >= 0 else None
        entry = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return entry if isinstance(entry, CatalogEntry) else None

    def _update_catalog_button(self) -> None:
        entry = self._selected_entry()
        bundled = entry is not None and entry.bundled
        self.download_catalog_button.setEnabled(not bundled)
        self.download_catalog_button.setToolTip(
            self.tr("This model comes with Lanterna: there is nothing to download.")
            if bundled
            else ""
        )

    def _on_download_catalog(self) -> None:
        entry = self._selected_entry()
        if entry is None or entry.bundled:
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
        self.search_note.setText(self.tr("%1 repositories").replace("%1", format_count(len(repos))))
        self.repos.setRowCount(0)
        self.files.setRowCount(0)
        for repo in repos:
            r = self.repos.rowCount()
            self.repos.insertRow(r)
            gated = self.tr(" (gated)") if repo.gated else ""
            name = repo.repo_id + gated
            self.repos.setItem(r, 0, cell(name, repo.repo_id, name))
            self.repos.setItem(r, 1, cell(format_count(repo.downloads)))

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
            self.files.setItem(r, 0, cell(f.name, (repo, f.name), f.name))
            self.files.setItem(r, 1, cell(format_size(f.size)))
            self.files.setItem(r, 2, cell(f.quantisation or ""))

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
        self.download_table = make_table(
            page,
            [
                self.tr("File"),
                self.tr("Progress"),
                self.tr("Speed"),
                self.tr("Time left"),
                self.tr("State"),
            ],
            "downloads",
            elide=Qt.TextElideMode.ElideRight,
        )
        self.download_table.setAccessibleName(self.tr("Downloads"))
        # A progress bar has no text for the header to measure: its width is set from the
        # bars' texts (_fit_progress_column).
        self.download_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
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
            self.download_table.setItem(row, 0, cell(item.label, key, item.repo))
        bar = self.download_table.cellWidget(row, 1)
        if isinstance(bar, QProgressBar):
            bar.setValue(int(1000 * item.done / item.total) if item.total else 0)
            bar.setFormat(download_progress_text(item))
            bar.setTextVisible(True)
            bar.setToolTip(item.error)
        downloading = item.state == "downloading"
        speed = f"{format_size(item.speed)}/s" if downloading else ""
        self.download_table.setItem(row, 2, cell(speed))
        self.download_table.setItem(row, 3, cell(eta_text(item.eta) if downloading else ""))
        state = download_state_text(item)
        tip = f"{state}\n{item.error}" if item.error else ""
        self.download_table.setItem(row, 4, cell(state, tip=tip))
        self._fit_progress_column()

    def _fit_progress_column(self) -> None:
        bars = [self.download_table.cellWidget(r, 1) for r in range(self.download_table.rowCount())]
        texts = [b.text() for b in bars if isinstance(b, QProgressBar)]
        metrics = self.download_table.fontMetrics()
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        # The bar's frame and the cell's margins; never narrower than a typical "x / y".
        self.download_table.setColumnWidth(1, max(widest + 2 * ROW_PADDING, 180))

    def _on_failed(self, exc: Exception) -> None:
        self.installed_note.setText(str(exc))

    def closeEvent(self, event: object) -> None:
        self._net.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]
