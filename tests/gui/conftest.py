"""Fixtures of the GUI tests: the real window on a real worker, with its own chat store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import desktop.i18n as i18n
from desktop.i18n import compile_translations, install_translations
from desktop.main_window import MainWindow
from engine.settings import Settings
from engine.store import Store
from tests.support.tiny_gptoss import build_scripted_gptoss_gguf

# A gpt-oss model whose every answer is this Markdown (with a code block), token for token.
ANSWER_CODE = "print('lanterna')"
ANSWER_SCRIPT: tuple[str, ...] = (
    "<|channel|>",
    "fi",
    "nal",
    "<|message|>",
    "Here is **bold** advice.",
    "\n\n```python\n",
    ANSWER_CODE,
    "\n```\n\n",
    "That is all.",
    "<|return|>",
)

WindowFactory = Callable[..., MainWindow]
# use_language(language, folder=None): install a language as the app does at start, from the
# compiled translations or from the .qm files in ``folder``.
UseLanguage = Callable[..., None]


@pytest.fixture(scope="session")
def scripted_answer_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_scripted_gptoss_gguf(
        tmp_path_factory.mktemp("models") / "scripted-answer.gguf", ANSWER_SCRIPT
    )


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .qm files compiled from the .ts sources, as packaging does (they are not committed)."""
    folder = tmp_path_factory.mktemp("translations")
    compile_translations(folder)
    return folder


@pytest.fixture
def use_language(
    qapp: QApplication, compiled_translations: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[UseLanguage]:
    """Switch the language before building widgets (they translate their strings when built);
    English and the number format of before come back afterwards."""
    locale = QLocale()

    def use(language: str, folder: Path | None = None) -> None:
        monkeypatch.setattr(i18n, "translations_dir", lambda: folder or compiled_translations)
        assert install_translations(qapp, language) == language

    yield use
    install_translations(qapp, "en")
    QLocale.setDefault(locale)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of its own: the registry and the models folder start empty."""
    path = tmp_path / "home"
    monkeypatch.setenv("LANTERNA_HOME", str(path))
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "chats.sqlite3"


@pytest.fixture
def open_window(qtbot: QtBot, store_path: Path, demo_model: Path) -> WindowFactory:
    """Open a window on ``model`` (the demo model by default) and wait until it can send."""

    def make(
        model: Path | None = None, settings: Settings | None = None, max_tokens: int = 24
    ) -> MainWindow:
        win = MainWindow(
            model=model or demo_model, store_path=store_path, settings=settings or Settings()
        )
        win.max_tokens = max_tokens
        # Seeded so the demo model's answers are the same on every run.
        win.seed = 7
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.composer.ready, timeout=60_000)
        return win

    return make


def send_and_wait(qtbot: QtBot, window: MainWindow, text: str) -> int:
    """Type ``text``, press Send, and return the stored answer's id."""
    window.composer.text.setPlainText(text)
    with qtbot.waitSignal(window.answer_saved, timeout=90_000) as blocker:
        window.composer.send_button.click()
    return int(blocker.args[0])


def wait_io(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until every store operation submitted so far has finished."""
    qtbot.waitUntil(lambda: not window.io.busy, timeout=10_000)


def read_store(path: Path) -> Store:
    return Store(path)
