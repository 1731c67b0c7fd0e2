"""What Lanterna's SQLite files (the chat store, the document index) share: writes in one
transaction that takes the write lock at once, and a schema version a newer app may have set."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def immediate_transaction(
    db: sqlite3.Connection, lock: threading.Lock | threading.RLock
) -> Iterator[sqlite3.Connection]:
    """One write transaction; BEGIN IMMEDIATE so another process's writer makes us wait at the
    start (busy timeout) rather than fail half-way."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def schema_version(
    db: sqlite3.Connection, path: Path, newest: int, error: type[Exception]
) -> int:
    """The file's schema version; ``error`` when a newer Lanterna wrote it (never downgraded)."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > newest:
        raise error(
            f"{path} was written by a newer version of Lanterna "
            f"(schema {version}, this version reads up to {newest})"
        )
    return version
