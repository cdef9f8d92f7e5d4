"""The journal's storage engine: one writer thread fed by a FIFO queue, pooled read connections, backups."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import JournalError
from .schema import migrate

#: milliseconds SQLite waits for a lock held by another connection before failing
BUSY_TIMEOUT_MS = 5000


class JournalStore:
    """The SQLite file, its writer thread and readers; :class:`kiosk_ui.journal.Journal` adds the records."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._closed = False
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = db = self._connect()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except (OSError, sqlite3.Error, ValueError, JournalError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(f"cannot open the journal at {self.path}: {exc}") from exc
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="journal-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return db

    def _migrate(self) -> None:
        migrate(self._db, lambda: self.backup_to(self.path.with_name(self.path.stem + ".v1-backup" + self.path.suffix)))

    # ------------------------------------------------------------------ writer thread
    def _write_loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)

    def _submit(self, work: Callable[[], Any]) -> Future[Any]:
        """Queue a write (FIFO): its place in the database is the place of this call."""
        future: Future[Any] = Future()
        if threading.current_thread() is self._writer:
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)
            return future
        if self._closed:
            future.set_exception(JournalError("journal closed"))
            return future
        self._jobs.put((work, future))
        return future

    def _call(self, work: Callable[[], Any]) -> Any:
        return self._submit(work).result()

    @staticmethod
    async def _wait(future: Future[Any]) -> Any:
        return await asyncio.wrap_future(future)

    def _write(self, sql: str, args: tuple[Any, ...] | list[Any], *, must_match: bool = False) -> int:
        """One statement in one durable transaction (run on the writer thread)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            cursor = self._db.execute(sql, args)
            if must_match and cursor.rowcount == 0:
                self._db.execute("ROLLBACK")
                raise JournalError(f"journal has no such payment {args[-1]!r}")
            self._db.execute("COMMIT")
            return cursor.lastrowid or cursor.rowcount
        except sqlite3.ProgrammingError as exc:  # closed at shutdown
            raise JournalError(f"journal closed: {exc}") from exc
        except sqlite3.Error as exc:
            try:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise JournalError(f"journal write failed: {exc}") from exc

    # ------------------------------------------------------------------ readers
    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._readers_lock:
            if self._closed:
                raise JournalError("journal closed")
            db = self._readers.pop() if self._readers else None
        try:
            if db is None:
                db = self._connect()
                db.execute("PRAGMA query_only=1")
            yield db
        except sqlite3.Error as exc:
            raise JournalError(f"journal read failed: {exc}") from exc
        finally:
            if db is not None:
                with self._readers_lock:
                    if self._closed:
                        db.close()
                    else:
                        self._readers.append(db)

    def _read(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        with self._reader() as db:
            cursor = db.execute(sql, args)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        if threading.current_thread() is not self._writer:
            self._writer.join()
        while True:  # a write queued while closing: fail it rather than leave its caller waiting
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[1].set_exception(JournalError("journal closed"))
        with self._readers_lock:
            for db in self._readers:
                db.close()
            self._readers.clear()
        self._db.close()

    def backup_to(self, target: str | Path) -> Path:
        return backup(self.path, target)


def backup(source: str | Path, target: str | Path) -> Path:
    """A consistent copy with SQLite's online backup API, in one step (a WAL reader: the app's writes
    go on). Written beside the target and renamed into place once SQLite's check passes."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        src = sqlite3.connect(f"file:{Path(source).resolve().as_posix()}?mode=ro", uri=True, isolation_level=None)
        try:
            dst = sqlite3.connect(str(partial), isolation_level=None)
            try:
                src.backup(dst)
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise JournalError("the backup copy does not pass SQLite's check")
            finally:
                dst.close()
        finally:
            src.close()
        partial.replace(target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise JournalError(f"backup to {target} failed: {exc}") from exc
    return target
