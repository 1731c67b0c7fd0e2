"""Conversations and messages in one SQLite file (WAL).

Every write is one transaction, so a kill -9 loses at most the message being written. Messages
form a tree (``parent_id``): editing a user message or regenerating an answer adds a sibling,
and the earlier branch stays reachable (see :mod:`engine.branches`).

What a message keeps of its reasoning is only what the user could see — filtered segments, a
filtered summary, statistics (see :class:`engine.answer.AnswerRecord`); raw chain of thought
never reaches the engine's client side, so it cannot be stored.

Search runs on two FTS5 indexes (message contents, conversation titles) with the
``unicode61 remove_diacritics 2`` tokenizer, so it ignores case and accents ("acao" finds
"Ação"). Both are external-content indexes kept in sync by triggers: the text is stored once,
and any connection that writes — not only this class — keeps them right.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from engine.fts_words import word_runs
from engine.paths import app_paths
from engine.sqlite_tx import immediate_transaction, schema_version

SCHEMA_VERSION = 2

# Version 1, as files written by the first release hold it. Kept verbatim: a new file is built
# by the same steps that upgrade an old one, so both end with the same schema.
_SCHEMA_V1: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
)""",
    """CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    reasoning TEXT NOT NULL DEFAULT '{}',
    meta TEXT NOT NULL DEFAULT '{}',
    incomplete INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
)

_TOKENIZER = "unicode61 remove_diacritics 2"

# Version 2: full-text search, and an index on parent_id (deleting a message cascades to its
# replies; without the index every cascaded row scans the whole table).
_SCHEMA_V2: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS messages_by_parent ON messages(parent_id)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5("
    f"content, content='messages', content_rowid='id', tokenize='{_TOKENIZER}',"
    # Prefix indexes: a one- to three-letter search (the first keys typed into a search box)
    # reads one list instead of merging every word that starts that way; ~3x faster on
    # 50,000 messages, for a larger index.
    " prefix='1 2 3')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS conversation_fts USING fts5("
    f"title, content='conversations', content_rowid='id', tokenize='{_TOKENIZER}')",
    # An external-content index must be told the old text to forget it, hence 'delete' rows.
    """CREATE TRIGGER IF NOT EXISTS message_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
END""",
    """CREATE TRIGGER IF NOT EXISTS message_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
END""",
    """CREATE TRIGGER IF NOT EXISTS message_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
END""",
    """CREATE TRIGGER IF NOT EXISTS conversation_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_fts(rowid, title) VALUES (new.id, new.title);
END""",
    """CREATE TRIGGER IF NOT EXISTS conversation_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversation_fts(conversation_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
END""",
    """CREATE TRIGGER IF NOT EXISTS conversation_fts_update AFTER UPDATE OF title ON conversations
BEGIN
    INSERT INTO conversation_fts(conversation_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
    INSERT INTO conversation_fts(rowid, title) VALUES (new.id, new.title);
END""",
    # Index what a v1 file already holds; on a new file both tables are empty.
    "INSERT INTO message_fts(message_fts) VALUES ('rebuild')",
    "INSERT INTO conversation_fts(conversation_fts) VALUES ('rebuild')",
)

_MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_V1, _SCHEMA_V2)

_MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, meta, incomplete, created"
)
_CONVERSATION_COLUMNS = "id, title, created, updated, settings"


class StoreError(RuntimeError):
    """The file cannot be used by this version (e.g. written by a newer one)."""


@dataclass(frozen=True)
class StoredMessage:
    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    reasoning: dict[str, Any]
    meta: dict[str, Any]
    incomplete: bool
    created: float


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created: float
    updated: float
    settings: dict[str, Any]


def default_store_path() -> Path:
    return app_paths().data / "lanterna.sqlite3"


def match_expression(query: str) -> str | None:
    """An FTS5 query for what a user typed: every word must appear, as the start of a word.

    Each whitespace-separated word becomes a quoted phrase of its letter/digit runs with a
    prefix star (``don't`` → ``"don t"*``), so no user input is ever read as FTS syntax
    (``AND``, ``NEAR(``, ``*``, ``-`` or quotes are plain text). A word with no letter or digit
    is dropped: an empty phrase would make the whole AND match nothing. None when nothing is
    left to search for.
    """
    phrases: list[str] = []
    for word in unicodedata.normalize("NFC", query).split():
        runs = word_runs(word)
        if runs:
            phrase = " ".join(runs).replace('"', '""')  # runs hold no quote; kept for safety
            phrases.append(f'"{phrase}"*')
    return " AND ".join(phrases) if phrases else None


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str) -> dict[str, Any]:
    # Most user messages store "{}" twice; skipping the parser for them is free.
    if text == "{}":
        return {}
    value: dict[str, Any] = json.loads(text)
    return value


def _message(row: tuple[Any, ...]) -> StoredMessage:
    return StoredMessage(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        _loads(row[5]),
        _loads(row[6]),
        bool(row[7]),
        row[8],
    )


def _conversation(row: tuple[Any, ...]) -> Conversation:
    return Conversation(row[0], row[1], row[2], row[3], _loads(row[4]))


class Store:
    """One connection to the file. The app uses it from one thread at a time; the lock only
    turns an accidental overlap into a wait instead of a nested-transaction error."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _migrate(self) -> None:
        # Version read and upgrade in one write transaction: two processes opening an old file
        # at once cannot both upgrade it, and a crash mid-upgrade leaves the old file intact.
        with self._tx() as db:
            version = schema_version(db, self.path, SCHEMA_VERSION, StoreError)
            for statements in _MIGRATIONS[version:]:
                for sql in statements:
                    db.execute(sql)
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # Conversations

    def create_conversation(self, title: str, settings: dict[str, Any] | None = None) -> int:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO conversations(title, created, updated, settings) VALUES (?,?,?,?)",
                (title, now, now, _dumps(settings or {})),
            )
        return int(cur.lastrowid or 0)

    def conversation(self, conversation_id: int) -> Conversation | None:
        rows = self._read(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id=?", (conversation_id,)
        )
        return _conversation(rows[0]) if rows else None

    def conversations(self, query: str = "", limit: int = 1000) -> list[Conversation]:
        """Most recently updated first. With a query: those whose title or any message holds
        every word of it, as word prefixes, ignoring case and accents. A query with no letter
        or digit in it (only punctuation or symbols) finds nothing."""
        if limit <= 0:
            return []
        if not query.strip():
            rows = self._read(
                f"SELECT {_CONVERSATION_COLUMNS} FROM conversations"
                " ORDER BY updated DESC, id DESC LIMIT ?",
                (limit,),
            )
            return [_conversation(r) for r in rows]
        expr = match_expression(query)
        if expr is None:
            return []
        rows = self._read(
            f"SELECT {_CONVERSATION_COLUMNS} FROM conversations WHERE id IN ("
            " SELECT m.conversation_id FROM message_fts JOIN messages m"
            "  ON m.id = message_fts.rowid WHERE message_fts MATCH :q"
            " UNION SELECT rowid FROM conversation_fts WHERE conversation_fts MATCH :q"
            ") ORDER BY updated DESC, id DESC LIMIT :limit",
            {"q": expr, "limit": limit},
        )
        return [_conversation(r) for r in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> bool:
        """False when there is no such conversation. Renaming does not count as an update: the
        conversation keeps its place in the list."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE conversations SET title=? WHERE id=?", (title, conversation_id)
            )
        return cur.rowcount > 0

    def delete_conversation(self, conversation_id: int) -> bool:
        """Deletes the conversation and all its messages; False when there was none."""
        with self._tx() as db:
            # Links cut first: deleting a parent would cascade down to its reply, and that reply's
            # deletion to the next one — one trigger level per message, and SQLite stops at
            # 1000. Without links every row goes on its own, whatever the connection's
            # foreign-key setting.
            db.execute(
                "UPDATE messages SET parent_id=NULL"
                " WHERE conversation_id=? AND parent_id IS NOT NULL",
                (conversation_id,),
            )
            db.execute("DELETE FROM messages WHERE conversation_id=?", (conversation_id,))
            cur = db.execute("DELETE FROM conversations WHERE id=?", (conversation_id,))
        return cur.rowcount > 0

    def update_conversation_settings(
        self, conversation_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Merges ``changes`` into the settings (a value None removes the key) and returns the
        merged settings. KeyError when there is no such conversation."""
        with self._tx() as db:
            row = db.execute(
                "SELECT settings FROM conversations WHERE id=?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise KeyError(conversation_id)
            settings: dict[str, Any] = json.loads(row[0])
            for key, value in changes.items():
                if value is None:
                    settings.pop(key, None)
                else:
                    settings[key] = value
            db.execute(
                "UPDATE conversations SET settings=? WHERE id=?",
                (_dumps(settings), conversation_id),
            )
        return settings

    # Messages

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        parent_id: int | None = None,
        reasoning: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        incomplete: bool = False,
    ) -> int:
        now = time.time()
        with self._tx() as db:
            if parent_id is not None:
                row = db.execute(
                    "SELECT conversation_id FROM messages WHERE id=?", (parent_id,)
                ).fetchone()
                # A parent elsewhere would graft this message onto another conversation's tree.
                if row is None or row[0] != conversation_id:
                    raise ValueError(
                        f"message {parent_id} is not in conversation {conversation_id}"
                    )
            cur = db.execute(
                "INSERT INTO messages(conversation_id, parent_id, role, content, reasoning, meta,"
                " incomplete, created) VALUES (?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    parent_id,
                    role,
                    content,
                    _dumps(reasoning or {}),
                    _dumps(meta or {}),
                    int(incomplete),
                    now,
                ),
            )
            db.execute("UPDATE conversations SET updated=? WHERE id=?", (now, conversation_id))
        return int(cur.lastrowid or 0)

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        incomplete: bool | None = None,
    ) -> bool:
        """Replaces the fields given (None leaves a field as it is) and marks the conversation
        updated. False when there is no such message."""
        sets: list[str] = []
        params: list[Any] = []
        if content is not None:
            sets.append("content=?")
            params.append(content)
        if reasoning is not None:
            sets.append("reasoning=?")
            params.append(_dumps(reasoning))
        if meta is not None:
            sets.append("meta=?")
            params.append(_dumps(meta))
        if incomplete is not None:
            sets.append("incomplete=?")
            params.append(int(incomplete))
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "SELECT conversation_id FROM messages WHERE id=?", (message_id,)
            ).fetchone()
            if row is None:
                return False
            if sets:
                db.execute(
                    f"UPDATE messages SET {', '.join(sets)} WHERE id=?", (*params, message_id)
                )
                db.execute("UPDATE conversations SET updated=? WHERE id=?", (now, row[0]))
        return True

    def delete_message(self, message_id: int) -> int:
        """Deletes the message and every reply below it (its whole subtree); returns how many
        messages went."""
        with self._tx() as db:
            ids = [
                r[0]
                for r in db.execute(
                    "WITH RECURSIVE subtree(id) AS ("
                    " SELECT id FROM messages WHERE id=?"
                    " UNION ALL SELECT m.id FROM messages m JOIN subtree s ON m.parent_id = s.id"
                    ") SELECT id FROM subtree",
                    (message_id,),
                )
            ]
            # As in delete_conversation: links cut first, so no cascade runs a message deep.
            # Row by row: a subtree can hold more ids than a statement takes parameters.
            params = [(i,) for i in ids]
            db.executemany("UPDATE messages SET parent_id=NULL WHERE id=?", params)
            db.executemany("DELETE FROM messages WHERE id=?", params)
        return len(ids)

    def message(self, message_id: int) -> StoredMessage | None:
        rows = self._read(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id=?", (message_id,))
        return _message(rows[0]) if rows else None

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """All messages of the conversation, every branch, in id (creation) order."""
        rows = self._read(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE conversation_id=? ORDER BY id",
            (conversation_id,),
        )
        return [_message(r) for r in rows]

    def message_count(self, conversation_id: int) -> int:
        rows = self._read(
            "SELECT count(*) FROM messages WHERE conversation_id=?", (conversation_id,)
        )
        return int(rows[0][0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
