"""The SQLite store on real files: writes survive, deletes cascade, search ignores case and
accents and never chokes on what a user types, and a first-release file upgrades in place."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from engine import store as store_module
from engine.store import SCHEMA_VERSION, Store, StoreError, match_expression


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def _fts_consistent(path: Path) -> None:
    """FTS5's own check that both indexes hold exactly what the tables hold."""
    db = sqlite3.connect(path)
    try:
        db.execute("INSERT INTO message_fts(message_fts) VALUES ('integrity-check')")
        db.execute("INSERT INTO conversation_fts(conversation_fts) VALUES ('integrity-check')")
    finally:
        db.close()


def _ids(store: Store, query: str) -> list[int]:
    return [c.id for c in store.conversations(query)]


# Writes and reads


def test_unicode_round_trip_with_reasoning_and_meta(store: Store, tmp_path: Path) -> None:
    conv = store.create_conversation("Conversa sobre ação", {"effort": "alta"})
    text_pt = "Olá! Qual é a previsão para São Paulo amanhã? Çedilha, ã, õ, ü 🙂"
    text_es = "¿Cómo está tu corazón? Niño, pingüino, año — «comillas» ¡sí!"
    decomposed = unicodedata.normalize("NFD", "Ação")
    user = store.add_message(conv, "user", text_pt)
    reasoning = {"segments": [{"text": "pensando… ñ", "withheld": False}], "summary": None}
    meta = {"model": "gpt-oss-20b", "effort": "médio", "tokens_per_s": 12.5}
    answer = store.add_message(
        conv, "assistant", text_es + decomposed, parent_id=user, reasoning=reasoning, meta=meta
    )
    store.close()

    again = Store(tmp_path / "store.sqlite3")
    try:
        msgs = again.messages(conv)
        assert [m.id for m in msgs] == [user, answer]
        assert msgs[0].content == text_pt and msgs[0].parent_id is None
        assert msgs[1].content == text_es + decomposed  # stored as given, not normalized
        assert msgs[1].reasoning == reasoning and msgs[1].meta == meta
        assert msgs[1].parent_id == user and not msgs[1].incomplete
        c = again.conversation(conv)
        assert c is not None and c.title == "Conversa sobre ação"
        assert c.settings == {"effort": "alta"}
        assert again.message(answer) == msgs[1]
        assert again.message(999) is None and again.conversation(999) is None
    finally:
        again.close()


def test_a_written_message_is_visible_to_a_second_store_at_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    writer, reader = Store(path), Store(path)
    try:
        conv = writer.create_conversation("t")
        mid = writer.add_message(conv, "user", "first", incomplete=True)
        seen = reader.message(mid)
        assert seen is not None and seen.content == "first" and seen.incomplete
        writer.update_message(mid, content="first, finished", incomplete=False)
        seen = reader.message(mid)
        assert seen is not None and seen.content == "first, finished" and not seen.incomplete
        assert reader.message_count(conv) == 1
    finally:
        writer.close()
        reader.close()


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    parent = store.add_message(a, "user", "in a")
    with pytest.raises(ValueError):
        store.add_message(b, "assistant", "grafted", parent_id=parent)
    with pytest.raises(ValueError):
        store.add_message(a, "assistant", "orphan", parent_id=12345)
    assert store.message_count(b) == 0 and store.message_count(a) == 1
    # The connection is usable again: the failed transactions were rolled back.
    store.add_message(b, "user", "fine")
    assert store.message_count(b) == 1


def test_conversations_most_recently_updated_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clock that always moves: a coarse system clock could stamp two writes alike.
    ticks = iter(range(1000, 2000))
    monkeypatch.setattr(store_module, "time", SimpleNamespace(time=lambda: float(next(ticks))))
    first = store.create_conversation("first")
    second = store.create_conversation("second")
    third = store.create_conversation("third")
    store.add_message(first, "user", "bump")
    assert _ids(store, "") == [first, third, second]
    assert [c.id for c in store.conversations(limit=2)] == [first, third]
    assert store.conversations(limit=0) == []
    msg = store.add_message(second, "user", "x")
    store.update_message(msg, content="y")  # an edit counts as an update
    assert _ids(store, "")[0] == second
    store.rename_conversation(third, "renamed")  # a rename does not move it
    assert _ids(store, "") == [second, first, third]


def test_rename_and_settings(store: Store) -> None:
    conv = store.create_conversation("Old name", {"effort": "low", "leaf": 3})
    assert store.rename_conversation(conv, "Novo título")
    assert not store.rename_conversation(999, "x")
    c = store.conversation(conv)
    assert c is not None and c.title == "Novo título"
    merged = store.update_conversation_settings(conv, {"effort": "high", "leaf": None, "t": 0.7})
    assert merged == {"effort": "high", "t": 0.7}
    c = store.conversation(conv)
    assert c is not None and c.settings == merged
    with pytest.raises(KeyError):
        store.update_conversation_settings(999, {"a": 1})


def test_update_message_changes_only_what_is_given(store: Store) -> None:
    conv = store.create_conversation("t")
    mid = store.add_message(
        conv, "assistant", "partial", reasoning={"tokens": 1}, meta={"a": 1}, incomplete=True
    )
    assert store.update_message(mid, reasoning={"tokens": 9})
    m = store.message(mid)
    assert m is not None
    assert (m.content, m.reasoning, m.meta, m.incomplete) == (
        "partial",
        {"tokens": 9},
        {"a": 1},
        True,
    )
    assert store.update_message(mid, content="done", meta={"b": 2}, incomplete=False)
    m = store.message(mid)
    assert m is not None
    assert (m.content, m.reasoning, m.meta, m.incomplete) == (
        "done",
        {"tokens": 9},
        {"b": 2},
        False,
    )
    assert not store.update_message(999, content="x")


# Deletes


def test_delete_message_takes_its_whole_subtree(store: Store, tmp_path: Path) -> None:
    conv = store.create_conversation("tree")
    u1 = store.add_message(conv, "user", "root question")
    a1 = store.add_message(conv, "assistant", "answer one", parent_id=u1)
    u2 = store.add_message(conv, "user", "follow up", parent_id=a1)
    a2 = store.add_message(conv, "assistant", "deep answer", parent_id=u2)
    a1b = store.add_message(conv, "assistant", "regenerated answer", parent_id=u1)
    u2b = store.add_message(conv, "user", "other follow up", parent_id=a1b)

    assert store.delete_message(a1) == 3
    assert [m.id for m in store.messages(conv)] == [u1, a1b, u2b]
    assert store.message(a2) is None and store.message(u2) is None
    assert _ids(store, "deep") == []  # gone from the index too
    assert _ids(store, "regenerated") == [conv]
    assert store.delete_message(999) == 0
    _fts_consistent(tmp_path / "store.sqlite3")


def test_delete_conversation_takes_its_messages(store: Store, tmp_path: Path) -> None:
    keep = store.create_conversation("keep")
    drop = store.create_conversation("drop")
    store.add_message(keep, "user", "lighthouse keeper")
    parent = None
    for i in range(5):
        parent = store.add_message(drop, "user", f"lighthouse {i}", parent_id=parent)
    assert store.delete_conversation(drop)
    assert not store.delete_conversation(drop)
    assert store.conversation(drop) is None and store.message_count(drop) == 0
    assert store.messages(drop) == []
    assert _ids(store, "lighthouse") == [keep]
    assert _ids(store, "drop") == []
    _fts_consistent(tmp_path / "store.sqlite3")


def test_deleting_long_threads_is_not_limited_by_cascade_depth(
    store: Store, tmp_path: Path
) -> None:
    # A chain longer than SQLite's trigger depth limit (1000): a cascade one reply at a time
    # would fail here.
    convs = []
    for _ in range(2):
        conv = store.create_conversation("long")
        parent = None
        for i in range(1200):
            parent = store.add_message(
                conv, "user" if i % 2 == 0 else "assistant", f"m{i}", parent_id=parent
            )
        convs.append(conv)
    first = store.messages(convs[0])[0]
    assert store.delete_message(first.id) == 1200
    assert store.message_count(convs[0]) == 0
    assert store.delete_conversation(convs[1])
    assert store.message_count(convs[1]) == 0
    _fts_consistent(tmp_path / "store.sqlite3")


# Search


def test_search_ignores_case_and_accents_and_matches_word_starts(store: Store) -> None:
    pt = store.create_conversation("Receitas")
    store.add_message(pt, "user", "Qual é a melhor AÇÃO para hoje?")
    es = store.create_conversation("Canciones")
    store.add_message(es, "user", "Una canción sobre el corazón y la pingüina")
    en = store.create_conversation("Coast")
    store.add_message(en, "user", "The old lighthouse at the harbour")
    nfd = store.create_conversation("Decomposed")
    store.add_message(nfd, "user", unicodedata.normalize("NFD", "Informação detalhada"))

    assert _ids(store, "acao") == [pt]
    assert _ids(store, "Ação") == [pt]
    assert _ids(store, "CORAZON") == [es]
    assert _ids(store, "corazón") == [es]
    assert _ids(store, "pinguina") == [es]
    assert _ids(store, "light") == [en]
    assert _ids(store, "LIGHTHOUSE harb") == [en]
    assert _ids(store, "informacao") == [nfd]
    assert _ids(store, unicodedata.normalize("NFD", "informação")) == [nfd]
    # Every word must match, but as word starts only: "house" is inside a word, not a start.
    assert _ids(store, "lighthouse corazon") == []
    assert _ids(store, "house") == []
    assert _ids(store, "canc") == [es]  # the title and the message both match: listed once


def test_search_matches_titles(store: Store) -> None:
    conv = store.create_conversation("Viagem à Península Ibérica")
    store.add_message(conv, "user", "nothing related here")
    other = store.create_conversation("Other")
    assert _ids(store, "peninsula iber") == [conv]
    assert _ids(store, "VIAGEM") == [conv]
    store.rename_conversation(conv, "Roteiro")
    assert _ids(store, "viagem") == []
    assert _ids(store, "roteiro") == [conv]
    assert other not in _ids(store, "roteiro")


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "light*",
        "-light",
        "NEAR(",
        "NEAR(light lighthouse, 2)",
        "'; DROP TABLE messages; --",
        "AND",
        "light AND",
        "OR light",
        "NOT",
        "(light",
        "light)",
        "^light",
        "content:light",
        "{light}",
        "🙂",
        "🔥 light",
        "\\",
        "%",
        "_",
        "\x00",
        "a" * 5000,
        "—",
        "light — house",
    ],
)
def test_any_input_searches_without_error(store: Store, query: str) -> None:
    conv = store.create_conversation("Coast")
    store.add_message(conv, "user", "The old lighthouse 🙂 near the harbour")
    result = store.conversations(query)
    assert isinstance(result, list)
    assert store.message_count(conv) == 1  # nothing was dropped or changed


def test_hostile_input_is_read_as_plain_words(store: Store) -> None:
    conv = store.create_conversation("Coast")
    store.add_message(conv, "user", "The old lighthouse near the harbour, don't worry")
    for query in ('"lighthouse"', "light*", "-light", "(light)", "^light", "harbour,"):
        assert _ids(store, query) == [conv], query
    assert _ids(store, "content:light") == []  # no column filter: "content light" is a phrase
    assert _ids(store, "NEAR(harbour") == []  # "near harbour" is one phrase: not adjacent
    assert _ids(store, "near the") == [conv]
    assert _ids(store, "don't") == [conv]
    assert _ids(store, "lighthouse AND") == []  # "and" is a word to find, not an operator
    assert _ids(store, "'; DROP TABLE messages; --") == []
    assert _ids(store, "*") == [] and _ids(store, '"') == []
    assert _ids(store, "   ") == [conv]  # blank: the whole list
    assert store.message_count(conv) == 1


def test_match_expression_quotes_every_word() -> None:
    assert match_expression("light house") == '"light"* AND "house"*'
    assert match_expression("NEAR(a, b)") == '"NEAR a"* AND "b"*'
    assert match_expression("don't") == '"don t"*'
    assert match_expression('"*"  -- ;') is None
    assert match_expression("") is None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _reference_match(query_words: list[str], text: str) -> bool:
    tokens = _fold(text).split()
    return all(any(t.startswith(_fold(w)) for t in tokens) for w in query_words)


def test_search_agrees_with_a_plain_reference_on_thousands_of_messages(store: Store) -> None:
    rng = random.Random(7)
    vocab = [
        "ação",
        "acessível",
        "canção",
        "coração",
        "corazón",
        "niño",
        "pingüino",
        "lighthouse",
        "light",
        "lightning",
        "harbour",
        "harbor",
        "mañana",
        "manhã",
        "São",
        "Paulo",
        "sueño",
        "señal",
        "informação",
        "information",
        "inform",
        "café",
        "cafeteria",
        "árbol",
        "arbor",
        "über",
        "uber",
        "naïve",
        "naive",
        "resumé",
        "résumé",
        "zebra",
    ]
    convs: dict[int, tuple[str, list[str]]] = {}
    for c in range(60):
        title = " ".join(rng.sample(vocab, 2)) if c % 3 == 0 else f"Chat {c}"
        conv = store.create_conversation(title)
        texts = []
        parent = None
        for _ in range(50):
            text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 4)))
            if rng.random() < 0.5:
                text = text.upper()
            parent = store.add_message(conv, "user", text, parent_id=parent)
            texts.append(text)
        convs[conv] = (title, texts)
    assert sum(store.message_count(c) for c in convs) == 3000

    order = [c.id for c in store.conversations()]
    queries = [
        "acao",
        "CORAZON",
        "light",
        "lightn",
        "inform informacao",
        "cafe",
        "resume naive",
        "sao paulo",
        "pinguino nino",
        "zebra uber harbour",
        "arb",
        "chat",
        "chat 1",
        "ma",
    ]
    for query in queries:
        words = query.split()
        expected = [
            cid
            for cid in order
            if _reference_match(words, convs[cid][0])
            or any(_reference_match(words, t) for t in convs[cid][1])
        ]
        assert _ids(store, query) == expected, query
    # The queries discriminate: some find a part of the list, not all or nothing.
    sizes = {len(_ids(store, q)) for q in queries}
    assert any(0 < n < len(convs) for n in sizes)


# Schema versions

_V1_SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    reasoning TEXT NOT NULL DEFAULT '{}',
    meta TEXT NOT NULL DEFAULT '{}',
    incomplete INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
PRAGMA user_version = 1;
"""


def _write_v1_file(path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(_V1_SCHEMA)
        db.execute(
            "INSERT INTO conversations(id, title, created, updated) VALUES (1, 'Receita', 1, 5)"
        )
        db.execute(
            "INSERT INTO conversations(id, title, created, updated) VALUES (2, 'Música', 2, 3)"
        )
        db.execute(
            "INSERT INTO messages(id, conversation_id, parent_id, role, content, created)"
            " VALUES (1, 1, NULL, 'user', 'Como fazer pão de queijo com coração?', 1)"
        )
        db.execute(
            "INSERT INTO messages(id, conversation_id, parent_id, role, content, created)"
            " VALUES (2, 1, 1, 'assistant', 'Misture polvilho e queijo.', 2)"
        )
        db.execute(
            "INSERT INTO messages(id, conversation_id, parent_id, role, content, created)"
            " VALUES (3, 2, NULL, 'user', 'Una canción de amor', 3)"
        )
        db.commit()
    finally:
        db.close()


def _user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def _tables(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        db.close()


def test_a_new_file_has_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    Store(path).close()
    assert SCHEMA_VERSION == 2
    assert _user_version(path) == SCHEMA_VERSION
    assert {"conversations", "messages", "message_fts", "conversation_fts"} <= _tables(path)


def test_a_version_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _write_v1_file(path)
    assert _user_version(path) == 1
    store = Store(path)
    try:
        assert _user_version(path) == 2
        # What the old file held is searchable, ordered as before.
        assert _ids(store, "coracao") == [1]
        assert _ids(store, "QUEIJO") == [1]
        assert _ids(store, "cancion") == [2]
        assert _ids(store, "musica") == [2]
        assert _ids(store, "") == [1, 2]
        assert [m.id for m in store.messages(1)] == [1, 2]
        # And new writes keep the index in sync.
        store.add_message(2, "assistant", "Corazón partido", parent_id=3)
        assert _ids(store, "partido") == [2]
        assert store.delete_message(1) == 2
        assert _ids(store, "queijo") == []
    finally:
        store.close()
    _fts_consistent(path)
    again = Store(path)  # a second open finds nothing to do
    try:
        assert _ids(again, "partido") == [2]
    finally:
        again.close()


def test_a_failed_upgrade_leaves_the_version_1_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    _write_v1_file(path)
    broken = (*store_module._SCHEMA_V2, "SELECT no_such_function()")
    monkeypatch.setattr(store_module, "_MIGRATIONS", (store_module._SCHEMA_V1, broken))
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    assert _user_version(path) == 1
    assert "message_fts" not in _tables(path)
    monkeypatch.undo()
    store = Store(path)
    try:
        assert _ids(store, "queijo") == [1]
    finally:
        store.close()


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)
    assert _user_version(path) == SCHEMA_VERSION + 1
