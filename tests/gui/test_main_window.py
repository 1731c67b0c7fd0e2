"""The main window driven as a user would, offscreen, on a real worker and real models."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from desktop.chat_view import PAGE
from desktop.engine_errors import describe_error, describe_exit, means_out_of_memory
from desktop.main_window import MainWindow
from desktop.message_view import MarkdownBlock, MessageWidget
from desktop.model_bar import UNKNOWN_PROGRESS, ModelBar
from engine import protocol as p
from engine.settings import Settings
from engine.store import Store
from tests.gui.conftest import ANSWER_CODE, UseLanguage, WindowFactory, send_and_wait, wait_io
from tests.support.tiny_gptoss import SCRIPT_EMAIL, SCRIPT_HARMFUL


def _widgets(window: MainWindow) -> list[MessageWidget]:
    return window.chat.message_widgets()


def _button(widget: MessageWidget, name: str) -> QToolButton:
    button = widget.findChild(QToolButton, name)
    assert button is not None, name
    return button


def test_send_streams_renders_and_stores_the_answer(
    qtbot: QtBot, open_window: WindowFactory, store_path: Path
) -> None:
    window = open_window()
    assert "Gemma" in window.model_bar.combo.currentText()
    assert window.model_bar.state_name == "ready"
    # Where the model runs, and (in the tooltip) why: no GPU build is installed for tests.
    assert "llama.cpp · CPU ·" in window.model_bar.state.text()
    assert window.model_bar.state.toolTip().splitlines()[-1].startswith("CPU: ")
    # Send waits for something to send: blank text is not a message.
    send = window.composer.send_button
    assert window.composer.ready and not send.isEnabled()
    window.composer.text.setPlainText("  \n ")
    assert not send.isEnabled()
    window.composer.text.setPlainText("Hi")
    assert send.isEnabled()
    window.composer.text.clear()
    assert not send.isEnabled()
    texts: list[str] = []
    window.bridge.event.connect(
        lambda ev: texts.append(ev.text) if isinstance(ev, p.Text) else None
    )
    answer_id = send_and_wait(qtbot, window, "What is the capital of France?")
    assert texts, "the answer arrived in pieces"
    user, answer = _widgets(window)
    assert user.view.content == "What is the capital of France?" and user.view.id > 0
    assert answer.view.id == answer_id and answer.view.content == "".join(texts)
    assert "tok/s" in answer.footer.text() and "Gemma" in answer.footer.text()
    assert window.composer.send_button.text() == "Send"
    # In the sidebar, titled after the question; on disk, both messages.
    wait_io(qtbot, window)
    assert window.sidebar.list.item(0).text() == "What is the capital of France?"
    store = Store(store_path)
    try:
        (conv,) = store.conversations()
        stored = store.messages(conv.id)
        assert [m.role for m in stored] == ["user", "assistant"]
        assert stored[1].content == answer.view.content and stored[1].parent_id == stored[0].id
        assert stored[1].meta["model"] and stored[1].meta["tokens_per_s"] > 0
    finally:
        store.close()


def test_markdown_answer_has_highlighted_code_and_a_copy_link(
    qtbot: QtBot, open_window: WindowFactory, scripted_answer_gptoss: Path
) -> None:
    window = open_window(scripted_answer_gptoss, max_tokens=64)
    assert window.composer.effort.isEnabled()  # gpt-oss has an effort control
    send_and_wait(qtbot, window, "Show me code")
    answer = _widgets(window)[-1]
    html = "".join(b.text() for b in answer.findChildren(MarkdownBlock))
    assert "<b>bold</b>" in html or "<strong>bold</strong>" in html
    assert 'href="copy:0"' in html
    assert "```" not in html  # the fence became a code block
    QGuiApplication.clipboard().clear()
    answer.copy_code(0)
    assert QGuiApplication.clipboard().text() == ANSWER_CODE
    _button(answer, "copy").click()
    assert "That is all." in QGuiApplication.clipboard().text()


def test_stop_keeps_the_partial_answer(
    qtbot: QtBot, open_window: WindowFactory, store_path: Path
) -> None:
    window = open_window(max_tokens=2000)
    window.bridge.event.connect(
        lambda ev: window.composer.send_button.click() if isinstance(ev, p.Text) else None
    )
    answer_id = send_and_wait(qtbot, window, "Write a very long story about a lighthouse keeper.")
    answer = _widgets(window)[-1]
    assert "stopped" in answer.footer.text()
    wait_io(qtbot, window)
    store = Store(store_path)
    try:
        stored = store.message(answer_id)
        assert stored is not None and stored.meta["finish_reason"] == "cancelled"
        assert stored.incomplete
    finally:
        store.close()


def test_a_message_longer_than_the_context_is_refused_in_the_windows_words(
    qtbot: QtBot, open_window: WindowFactory, store_path: Path
) -> None:
    window = open_window(settings=Settings(context_length=512))
    answer_id = send_and_wait(qtbot, window, "Tell me about lighthouses. " * 150)
    footer = _widgets(window)[-1].footer.text()
    assert "no longer fits the model's context of 512 tokens" in footer
    assert "raise the context length in Settings" in footer
    wait_io(qtbot, window)
    store = Store(store_path)
    try:
        stored = store.message(answer_id)
        assert stored is not None and stored.incomplete and stored.content == ""
        assert "512 tokens" in stored.meta["error"]
    finally:
        store.close()
    # As the message says, a new chat has room again.
    window.new_chat()
    send_and_wait(qtbot, window, "Hello?")
    assert "error" not in _widgets(window)[-1].footer.text()


def test_regenerate_adds_a_branch_and_both_stay_reachable(
    qtbot: QtBot, open_window: WindowFactory
) -> None:
    window = open_window()
    first = send_and_wait(qtbot, window, "Tell me about owls.")
    first_text = _widgets(window)[-1].view.content
    with qtbot.waitSignal(window.answer_saved, timeout=90_000) as blocker:
        _button(_widgets(window)[-1], "regenerate").click()
    second = int(blocker.args[0])
    assert second != first
    answer = _widgets(window)[-1]
    assert answer.view.id == second and answer.branch_label.text() == "2/2"
    assert len(_widgets(window)) == 2
    with qtbot.waitSignal(window.conversation_shown, timeout=10_000):
        answer.prev_button.click()
    shown = _widgets(window)[-1]
    assert shown.view.id == first and shown.view.content == first_text
    assert shown.branch_label.text() == "1/2"


def test_edit_and_resend_starts_a_new_branch(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    send_and_wait(qtbot, window, "What colour is the sky?")
    user = _widgets(window)[0]
    _button(user, "edit").click()
    assert window.composer.editing
    assert window.composer.text.toPlainText() == "What colour is the sky?"
    send_and_wait(qtbot, window, "What colour is the sea?")
    assert not window.composer.editing
    user, _answer = _widgets(window)
    assert user.view.content == "What colour is the sea?"
    assert user.branch_label.text() == "2/2"
    with qtbot.waitSignal(window.conversation_shown, timeout=10_000):
        user.prev_button.click()
    user, answer = _widgets(window)
    assert user.view.content == "What colour is the sky?" and answer.view.content


def test_effort_is_per_conversation_and_reaches_the_model(
    qtbot: QtBot, open_window: WindowFactory, scripted_answer_gptoss: Path, store_path: Path
) -> None:
    window = open_window(scripted_answer_gptoss, max_tokens=64)
    window.composer.effort.setValue(2)  # high
    send_and_wait(qtbot, window, "Think hard.")
    answer = _widgets(window)[-1]
    assert "high" in answer.footer.text()
    wait_io(qtbot, window)
    store = Store(store_path)
    try:
        (conv,) = store.conversations()
        assert store.messages(conv.id)[-1].meta["effort"] == "high"
    finally:
        store.close()
    # A new chat starts from the last effort used; switching back restores the conversation's.
    window.new_chat()
    window.composer.effort.setValue(0)
    with qtbot.waitSignal(window.conversation_shown, timeout=10_000):
        window.open_conversation(conv.id)
    assert window.composer.effort_name() == "high"


def test_effort_slider_is_disabled_with_a_reason_on_models_without_it(
    open_window: WindowFactory,
) -> None:
    window = open_window()
    assert not window.composer.effort.isEnabled()
    assert "no reasoning-effort" in window.composer.effort.toolTip()


def test_killed_worker_shows_banner_keeps_partial_answer_and_restarts(
    qtbot: QtBot, open_window: WindowFactory, store_path: Path
) -> None:
    window = open_window(max_tokens=2000)
    pid = window.bridge.client.pid
    assert pid is not None
    killed: list[bool] = []

    def kill_on_text(ev: object) -> None:
        if isinstance(ev, p.Text) and not killed:
            killed.append(True)
            os.kill(pid, signal.SIGKILL)

    window.bridge.event.connect(kill_on_text)
    window.composer.text.setPlainText("Write a very long story about the sea.")
    window.composer.send_button.click()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=60_000)
    assert "SIGKILL" in window.banner_text.text()
    assert window.model_bar.state_name == "stopped"
    assert not window.composer.ready
    answer = _widgets(window)[-1]
    assert answer.view.content and "incomplete" in answer.footer.text()
    wait_io(qtbot, window)
    store = Store(store_path)
    try:
        (conv,) = store.conversations()
        stored = store.messages(conv.id)[-1]
        assert stored.role == "assistant" and stored.incomplete and stored.content
    finally:
        store.close()
    window.bridge.event.disconnect(kill_on_text)
    window.restart_button.click()
    qtbot.waitUntil(lambda: window.composer.ready, timeout=60_000)
    assert not window.banner.isVisible()
    window.max_tokens = 24
    send_and_wait(qtbot, window, "Are you back?")
    assert len(_widgets(window)) == 4


def test_reasoning_panel_shows_only_filtered_reasoning(
    qtbot: QtBot, open_window: WindowFactory, scripted_gptoss: Path
) -> None:
    window = open_window(scripted_gptoss, Settings(reasoning_display="filtered"), max_tokens=64)
    send_and_wait(qtbot, window, "Say hello")
    answer = _widgets(window)[-1]
    assert answer.reasoning_button.isVisible() and answer.reasoning_button.isEnabled()
    assert "Thought for" in answer.reasoning_button.text()
    assert not answer.reasoning_body.isVisible()  # collapsed by default
    answer.reasoning_button.click()
    body = answer.reasoning_body.text()
    assert answer.reasoning_body.isVisible() and "friendly hello" in body
    assert SCRIPT_EMAIL not in body and SCRIPT_HARMFUL.strip() not in body
    assert "[withheld" in body


def test_hidden_reasoning_shows_only_statistics(
    qtbot: QtBot, open_window: WindowFactory, scripted_gptoss: Path
) -> None:
    window = open_window(scripted_gptoss, Settings(reasoning_display="hidden"), max_tokens=64)
    send_and_wait(qtbot, window, "Say hello")
    answer = _widgets(window)[-1]
    assert "Thought for" in answer.reasoning_button.text() and "tokens" in (
        answer.reasoning_button.text()
    )
    assert not answer.reasoning_button.isEnabled() and answer.reasoning_body.text() == ""


def test_export_writes_markdown_and_json(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path
) -> None:
    window = open_window()
    send_and_wait(qtbot, window, "Name a bird.")
    answer = _widgets(window)[-1].view.content
    assert window._thread is not None
    cid = window._thread.conversation.id
    window.export_conversation(cid, tmp_path / "chat.md", "md")
    window.export_conversation(cid, tmp_path / "chat.json", "json")
    wait_io(qtbot, window)
    md = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert "Name a bird." in md and answer.strip() in md
    data = json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))
    assert data["format"] == "lanterna.conversation/1"
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert data["messages"][1]["content"] == answer


def test_history_survives_a_restart_and_is_searchable(
    qtbot: QtBot, open_window: WindowFactory
) -> None:
    window = open_window()
    send_and_wait(qtbot, window, "Tell me about lighthouses.")
    window.close()
    again = open_window()
    qtbot.waitUntil(lambda: again.sidebar.list.count() == 1, timeout=10_000)
    with qtbot.waitSignal(again.conversation_shown, timeout=10_000):
        again.sidebar.list.itemClicked.emit(again.sidebar.list.item(0))
    assert [w.view.role for w in _widgets(again)] == ["user", "assistant"]
    again.sidebar.search.setText("zebras")
    qtbot.waitUntil(lambda: again.sidebar.ids() == [], timeout=5_000)
    again.sidebar.search.setText("LIGHTHOUSE")
    qtbot.waitUntil(lambda: len(again.sidebar.ids()) == 1, timeout=5_000)
    (cid,) = again.sidebar.ids()
    again.rename_conversation(cid, "Faróis")
    qtbot.waitUntil(lambda: again.sidebar.list.item(0).text() == "Faróis", timeout=5_000)
    again.sidebar.search.clear()
    again.delete_conversation(cid)
    qtbot.waitUntil(lambda: again.sidebar.ids() == [], timeout=5_000)
    assert _widgets(again) == []


def test_delete_message_removes_what_follows(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    send_and_wait(qtbot, window, "First question")
    send_and_wait(qtbot, window, "Second question")
    assert len(_widgets(window)) == 4
    second_user = _widgets(window)[2]
    with qtbot.waitSignal(window.conversation_shown, timeout=10_000):
        window.delete_message(second_user.view.id)
    assert [w.view.content for w in _widgets(window)][:1] == ["First question"]
    assert len(_widgets(window)) == 2


def test_a_long_conversation_builds_widgets_page_by_page(
    qtbot: QtBot, open_window: WindowFactory, store_path: Path
) -> None:
    store = Store(store_path)
    cid = store.create_conversation("Long")
    parent = None
    for i in range(400):
        role = "user" if i % 2 == 0 else "assistant"
        parent = store.add_message(
            cid, role, f"message {i} with `code` and *emphasis*", parent_id=parent
        )
    store.close()
    window = open_window()
    with qtbot.waitSignal(window.conversation_shown, timeout=10_000):
        window.open_conversation(cid)
    assert len(window.chat.views) == 400 and window.chat.built_count == PAGE
    assert _widgets(window)[-1].view.content.startswith("message 399")
    qtbot.waitUntil(lambda: window.chat.verticalScrollBar().maximum() > 0, timeout=5_000)
    window.chat.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: window.chat.built_count == 2 * PAGE, timeout=5_000)
    assert _widgets(window)[0].view.content.startswith(f"message {400 - 2 * PAGE} ")


def test_shortcuts_and_accessible_names(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert (
        window.sidebar.search.hasFocus() or QGuiApplication.focusObject() is window.sidebar.search
    )
    for widget in (
        window.composer.text,
        window.composer.effort,
        window.composer.send_button,
        window.sidebar.search,
        window.sidebar.list,
        window.model_bar.combo,
        window.chat,
    ):
        assert widget.accessibleName(), widget


def test_settings_apply_theme_and_are_saved(
    qtbot: QtBot,
    open_window: WindowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.theme import apply_theme, chat_colors, is_dark
    from engine.settings import load_settings

    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path / "home"))
    window = open_window()
    send_and_wait(qtbot, window, "Hello")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        window.apply_settings(Settings(theme="dark", reasoning_display="filtered", threads=2))
        assert is_dark()
        (answer,) = [w for w in _widgets(window) if w.view.role == "assistant"]
        column = window.chat.widget()
        assert column is not None and answer.parentWidget() is column
        assert chat_colors(True).assistant_bubble in column.styleSheet()
        qtbot.waitUntil(lambda: window.composer.ready, timeout=60_000)
        wait_io(qtbot, window)
        saved = load_settings()
        assert (saved.theme, saved.reasoning_display, saved.threads) == ("dark", "filtered", 2)
    finally:
        apply_theme(app, "system")


def test_the_worker_runs_below_the_window_priority(open_window: WindowFactory) -> None:
    window = open_window()
    pid = window.bridge.client.pid
    assert pid is not None
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, pid) >= min(mine + 5, 19)


def test_streaming_updates_slow_down_when_rendering_gets_expensive() -> None:
    from desktop.main_window import FLUSH_MS, MAX_FLUSH_MS, next_flush_interval

    assert next_flush_interval(0.5) == FLUSH_MS  # cheap: ~30 updates a second
    assert next_flush_interval(30.0) == 200  # 30 ms of work: at most 15% of the time
    assert next_flush_interval(500.0) == MAX_FLUSH_MS


def test_choosing_another_gpu_build_restarts_the_engine_and_reloads(
    qtbot: QtBot, open_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path / "home"))
    window = open_window()
    first_pid = window.bridge.client.pid
    assert window._loaded is not None and window._loaded.device == "cpu"
    with qtbot.waitSignal(
        window.bridge.event,
        timeout=90_000,
        check_params_cb=lambda ev: isinstance(ev, p.Loaded),
    ) as blocker:
        window.apply_settings(Settings(gpu_backend="cpu"))
    assert window.bridge.client.pid != first_pid  # a new worker: the build is picked at start
    loaded = blocker.args[0]
    assert loaded.device == "cpu" and loaded.gpu_layers == 0
    qtbot.waitUntil(lambda: window.composer.ready, timeout=60_000)


def test_a_load_without_progress_yet_shows_a_busy_bar_not_zero(qtbot: QtBot) -> None:
    bar = ModelBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_state("loading", "Loading…", UNKNOWN_PROGRESS)
    assert bar.progress.isVisible() and (bar.progress.minimum(), bar.progress.maximum()) == (0, 0)
    # A loader's first report, before it has read anything, is no progress either.
    bar.set_state("loading", "Loading… 0%", 0.0)
    assert bar.busy and bar.state.text() == "Loading…"
    bar.set_state("loading", "Loading… 40%", 0.4)
    assert bar.progress.maximum() == 100 and bar.progress.value() == 40
    assert not bar.busy and bar.state.text() == "Loading… 40%"
    bar.set_state("ready", "Ready")
    assert not bar.progress.isVisible()
    # Work whose total is known starts at 0%, as it should.
    bar.set_state("generating", "Reading the prompt… 0%", 0.0)
    assert bar.progress.isVisible() and not bar.busy and bar.progress.value() == 0


def test_the_demo_models_name_is_said_in_the_windows_language(
    qtbot: QtBot, use_language: UseLanguage
) -> None:
    use_language("pt_BR")
    bar = ModelBar()
    qtbot.addWidget(bar)
    bar.set_models(["/m/other.gguf"], "/m/demo.gguf", demo="/m/demo.gguf")
    assert bar.combo.itemText(0) == "Gemma 3 270M (demonstração)"
    assert bar.combo.itemText(1) == "other"  # a file's own name is not translated


def test_a_model_loading_shows_a_busy_bar_until_llama_cpp_reports_progress(
    qtbot: QtBot, open_window: WindowFactory, demo_model: Path
) -> None:
    window = open_window()
    bar = window.model_bar
    seen: list[tuple[float, bool, str]] = []

    def after_the_window(ev: object) -> None:
        # Connected after the window's own slot, so this sees what that slot just showed.
        if isinstance(ev, p.LoadProgress):
            seen.append((ev.fraction, bar.busy, bar.state.text()))

    window.bridge.event.connect(after_the_window)
    with qtbot.waitSignal(
        window.bridge.event, timeout=60_000, check_params_cb=lambda ev: isinstance(ev, p.Loaded)
    ):
        window.open_model_path(str(demo_model))  # loaded again
        assert bar.busy and bar.state.text() == "Loading…"
    # llama.cpp reports 0 before it has read anything: still busy, no "0%" anywhere.
    assert seen[0] == (0.0, True, "Loading…"), seen
    later = [s for s in seen if s[0] > 0]
    assert later and not any(busy for _, busy, _ in later)
    assert later[-1][2] == "Loading… 100%"
    assert not any("0%" in text for fraction, _, text in seen if fraction < 0.1)


def test_send_waits_for_text_and_keeps_its_size_as_stop(
    qtbot: QtBot, use_language: UseLanguage, open_window: WindowFactory
) -> None:
    use_language("es")  # "Enviar" and "Detener" differ more than "Send" and "Stop"
    window = open_window(max_tokens=200)
    composer, send = window.composer, window.composer.send_button
    assert composer.ready and not send.isEnabled()  # nothing written: nothing to send
    qtbot.keyClick(composer.text, Qt.Key.Key_Return)
    assert window._turn is None
    composer.text.setPlainText(" \n ")
    assert not send.isEnabled()
    composer.text.setPlainText("Hola")
    assert send.isEnabled() and send.text() == "Enviar"
    where = send.geometry()
    during: list[tuple[str, bool, QRect]] = []

    def watch(ev: object) -> None:
        if isinstance(ev, p.Started):
            during.append((send.text(), send.isEnabled(), send.geometry()))

    window.bridge.event.connect(watch)
    send_and_wait(qtbot, window, "Hola")
    # Stop stays available while the answer streams, the message box emptied by Send, and the
    # button does not change size or place when it changes words.
    assert during == [("Detener", True, where)]
    assert send.text() == "Enviar" and not send.isEnabled() and send.geometry() == where


def test_a_model_that_cannot_be_loaded_is_explained_in_the_windows_language(
    qtbot: QtBot, use_language: UseLanguage, tmp_path: Path, store_path: Path
) -> None:
    use_language("pt_BR")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model at all " * 64)
    window = MainWindow(model=broken, store_path=store_path, settings=Settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.banner.isVisible, timeout=60_000)
    said, detail = window.banner_text.text().split("\n")
    assert said == (
        "Não foi possível carregar o modelo: este arquivo não é um modelo que o Lanterna "
        "consiga executar, ou está danificado"
    )
    assert str(broken) in detail or "GGUF" in detail  # the engine's own words, kept
    assert window.model_bar.state_name == "error" and not window.composer.ready

    # Out of memory has no kind of its own: llama.cpp says it in the failure's detail.
    oom = "llama.cpp could not load the model (unable to allocate CPU buffer)"
    window.bridge.event.emit(p.Error(window._load_req or 0, "load_failed", oom))
    assert window.banner_text.text() == (
        "Não foi possível carregar o modelo: não há memória suficiente para este modelo: um "
        f"contexto mais curto (Configurações) ou um modelo menor precisa de menos\n{oom}"
    )
    # An error no request waits for is said as a sentence too, the engine's words below it.
    window.bridge.event.emit(p.Error(-1, "protocol", "unknown message type 'x'"))
    assert window.banner_text.text() == (
        "O motor não entendeu um pedido da janela\nunknown message type 'x'"
    )


def test_a_demo_model_that_cannot_be_written_is_explained_in_the_windows_language(
    qtbot: QtBot, use_language: UseLanguage, tmp_path: Path, store_path: Path
) -> None:
    use_language("pt_BR")
    # A models folder that cannot be made (a file stands where a folder must go): the same
    # failure as a full or read-only disk, even for root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    window = MainWindow(store_path=store_path, settings=Settings(models_dir=str(blocker / "m")))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.banner.isVisible, timeout=60_000)
    said, detail = window.banner_text.text().split("\n")
    assert said == (
        "Não foi possível gravar o modelo de demonstração na pasta de modelos: libere espaço em "
        "disco ou escolha outra pasta em Configurações"
    )
    assert detail.startswith("cannot write the demo model to") and str(blocker) in detail
    assert window.model_bar.state_name == "error" and not window.composer.ready
    # The worker starting afterwards does not make it look ready, nor does the welcome card
    # speak of a demo model that is not there; the way to get a model stays in view.
    qtbot.waitUntil(lambda: window._worker_ready, timeout=60_000)
    assert window.model_bar.state_name == "error"
    assert window.welcome.intro.text().startswith("Nenhum modelo está pronto ainda")
    assert window.welcome.suggestion.isVisibleTo(window.welcome)


def test_why_the_engine_stopped_is_said_in_the_windows_language(
    use_language: UseLanguage,
) -> None:
    use_language("es")
    assert describe_exit("SIGKILL", -9) == (
        "se cerró a la fuerza (SIGKILL); puede que el sistema se haya quedado sin memoria"
    )
    assert describe_exit("SIGSEGV", -11) == "falló en código nativo (SIGSEGV)"
    assert describe_exit(None, 3) == "terminó con el código 3"
    assert describe_exit(None, 0xC0000005) == "falló (excepción 0xC0000005)"
    assert describe_exit(None, None) == "dejó de responder"


@pytest.mark.parametrize(
    "message",
    [
        "llama.cpp could not load the model (unable to allocate CPU buffer)",
        "llama_init_from_model: failed to initialize the context: failed to allocate buffer for "
        "kv cache",
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9216.00 MiB on device 0: "
        "cudaMalloc failed: out of memory",
        "ggml_vulkan: Device memory allocation of size 4294967296 failed.",
        "vk::Device::allocateMemory: ErrorOutOfDeviceMemory",
        "MLX failed while reading the prompt ([METAL] Command buffer execution failed: "
        "Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory))",
        "mlx-lm could not load the model (MemoryError)",
        "RuntimeError: std::bad_alloc",
    ],
)
def test_running_out_of_memory_is_recognised_in_the_engines_words(message: str) -> None:
    assert means_out_of_memory(message)
    said = describe_error("load_failed", message, loading=True)
    assert said.sentence.startswith("there is not enough memory") and said.detail == message


def test_other_load_failures_are_not_taken_for_memory() -> None:
    for message in (
        "architecture 'mamba9' is not supported by this llama.cpp build",
        "llama.cpp could not load the model (tensor 'blk.0.attn_q.weight' data is not within "
        "the file bounds, model is corrupted or incomplete)",
    ):
        assert not means_out_of_memory(message)
        assert describe_error("load_failed", message).sentence.startswith("the engine could not")


@pytest.mark.parametrize(
    ("kind", "message", "footer"),
    [
        (
            "backend",
            "llama.cpp failed while reading the prompt",
            "error: the engine failed while answering — llama.cpp failed while reading the prompt",
        ),
        (
            "backend",
            "MLX failed while generating ([METAL] Command buffer execution failed: Insufficient "
            "Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory))",
            "error: there is not enough memory for this model: a shorter context length "
            "(Settings) or a smaller model needs less — MLX failed while generating",
        ),
        (
            "bad_request",
            "the model's chat template failed: UndefinedError: 'tools' is undefined",
            "error: this conversation could not be prepared for the model — the model's chat "
            "template failed",
        ),
        (
            "moderation",
            "word list en/violence.txt: line 3 is not valid",
            "error: the reasoning filter's word lists could not be read: turn off Word lists in "
            "Settings, or reinstall Lanterna — word list en/violence.txt",
        ),
        ("no_model", "no model is loaded", "error: no model is loaded: choose one at the top"),
    ],
)
def test_an_answer_cut_by_an_engine_error_says_what_went_wrong(
    qtbot: QtBot, open_window: WindowFactory, kind: str, message: str, footer: str
) -> None:
    window = open_window(max_tokens=200)

    def fail(ev: object) -> None:
        # The engine's error arrives as the worker would send it, once the answer has started.
        turn = window._turn
        if isinstance(ev, p.Started) and turn is not None:
            error = p.Error(turn.req, kind, message)
            QTimer.singleShot(0, lambda: window.bridge.event.emit(error))

    window.bridge.event.connect(fail)
    send_and_wait(qtbot, window, "Tell me about lighthouses.")
    shown = _widgets(window)[-1].footer.text()
    assert footer in shown and "incomplete" in shown
