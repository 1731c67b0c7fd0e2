"""gpt-oss searching the attached documents itself, seen in the window: the scripted gpt-oss
calls ``documents.search`` after every prompt, the worker runs the calls until the model must
answer, and the answer says what was searched and cites the page found."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.conftest import WindowFactory, send_and_wait
from tests.gui.test_documents import _chip_states, _drop, _widgets
from tests.integration.test_chat_documents import QUESTION, SEARCH_SCRIPT, guide
from tests.support.tiny_gptoss import build_scripted_gptoss_gguf


@pytest.fixture(scope="module")
def searching_gptoss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "searching-gpt-oss.gguf"
    return build_scripted_gptoss_gguf(path, SEARCH_SCRIPT)


def test_the_answer_shows_the_models_searches_and_their_sources(
    qtbot: QtBot, open_window: WindowFactory, searching_gptoss: Path, tmp_path: Path
) -> None:
    window = open_window(model=searching_gptoss, max_tokens=200)
    pdf = guide(tmp_path, pages=12)
    assert _drop(window.chat.viewport(), [pdf])
    qtbot.waitUntil(lambda: _chip_states(window) == {"guide.pdf": "ready"}, timeout=60_000)
    send_and_wait(qtbot, window, QUESTION)
    answer = _widgets(window)[1]
    note = answer.documents_note
    assert note is not None and note.isVisible()
    assert note.searches.isVisible()
    # The scripted model searched the same words several times: shown once.
    assert note.searches.text() == "Searched the documents for “lighthouse beam”"
    assert "passages" in note.plan.text(), note.plan.text()
    assert answer.sources is not None
    names = [b.accessibleName() for b in answer.sources.buttons]
    assert any("guide.pdf · p. 2" in name for name in names), names

