"""Conversations and messages in one SQLite file (WAL).

Every write is one transaction, so a kill -9 loses at most the message being written. Messages
form a tree (``parent_id``): editing a user message or regenerating an answer adds a sibling,
and the earlier branch stays reachable.

What a message keeps of its reasoning is only what the user could see — filtered segments, a
filtered summary, statistics (see :class:`engine.answer.AnswerRecord`); raw chain of thought
never reaches the engine's client side, so it cannot be stored.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.paths import app_paths

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS messages (
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
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
"""


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


def default_store_path() -> Path:
    return app_paths().data / "lanterna.sqlite3"


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints
        # executescript commits on its own, so the schema carries its own transaction.
        self._db.executescript(
            f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;"
        )

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def create_conversation(self, title: str, settings: dict[str, Any] | None = None) -> int:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO conversations(title, created, updated, settings) VALUES (?,?,?,?)",
                (title, now, now, json.dumps(settings or {})),
            )
        return int(cur.lastrowid or 0)

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
            cur = db.execute(
                "INSERT INTO messages(conversation_id, parent_id, role, content, reasoning, meta,"
                " incomplete, created) VALUES (?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    parent_id,
                    role,
                    content,
                    json.dumps(reasoning or {}, ensure_ascii=False),
                    json.dumps(meta or {}, ensure_ascii=False),
                    int(incomplete),
                    now,
                ),
            )
            db.execute("UPDATE conversations SET updated=? WHERE id=?", (now, conversation_id))
        return int(cur.lastrowid or 0)

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        rows = self._db.execute(
            "SELECT id, conversation_id, parent_id, role, content, reasoning, meta, incomplete,"
            " created FROM messages WHERE conversation_id=? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        return [
            StoredMessage(
                r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), bool(r[7]), r[8]
            )
            for r in rows
        ]

    def close(self) -> None:
        self._db.close()
