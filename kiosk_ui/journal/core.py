"""The journal's storage engine: one writer thread fed by a FIFO queue, pooled read connections, backups."""

from __future__ import annotations

import asyncio
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..errors import JournalDamaged, JournalError
from .schema import SCHEMA_VERSION, migrate

#: milliseconds SQLite waits for a lock held by another connection before failing
BUSY_TIMEOUT_MS = 5000
#: bytes the writability probe writes and syncs (a page)
PROBE_BYTES = 4096


def read_only_uri(path: Path) -> str:
    """A URI that reads ``path`` without writing anything: ``mode=ro``, and with no -wal beside it (no app
    writing) also ``immutable``, so not even empty -wal/-shm files are created next to it."""
    quiet = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
    return f"file:{path.resolve().as_posix()}?mode=ro{quiet}"


class JournalStore:
    """The SQLite file, its writer thread and readers; :class:`kiosk_ui.journal.Journal` adds the records."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        """``readonly``: never writes the file (no migration, no WAL switch, no checkpoint at close): for
        ``kiosk-ui journal``; the journal must already be at schema v2 or later (see files.open_for_reading)."""
        self.path = Path(path)
        self.readonly = readonly
        self._closed = False
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        #: '' normally; the one-line reason while the journal is out of service (damaged at start, see files.py)
        self.damaged = ""
        #: False after a write or probe failed, True again after one succeeded (staff and the kiosk read it)
        self.writable = not readonly
        #: called once the journal is closed (a temporary copy removes itself)
        self.on_close: Callable[[], None] | None = None
        db = None
        try:
            if readonly:
                self._db = db = self._connect()
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if not 2 <= version <= SCHEMA_VERSION:
                    raise JournalError(f"journal {self.path} is schema v{version}: it cannot be read as it is")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = db = self._connect()
                self._db.execute("PRAGMA journal_mode=WAL")
                self._migrate()
                check = self._db.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise JournalDamaged(f"journal {self.path} is damaged: {check}")
                self._seq = int(self._db.execute("SELECT coalesce(max(seq), 0) FROM payments").fetchone()[0])
        except (OSError, sqlite3.Error, ValueError, JournalError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, JournalError):
                raise
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
                raise JournalDamaged(f"journal {self.path} is damaged: {exc}") from exc
            raise JournalError(f"cannot open the journal at {self.path}: {exc}") from exc
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="journal-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        if self.readonly:  # mode=ro: no write at all, not even the checkpoint a last connection runs at close
            db = sqlite3.connect(read_only_uri(self.path), uri=True, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA query_only=1")
            return db
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

    def _next_seq(self) -> int:
        """The journal's write order (run on the writer thread): wall-clock times may step back, this never."""
        self._seq += 1
        return self._seq

    def _write(self, sql: str, args: tuple[Any, ...] | list[Any], *, must_match: bool = False) -> int:
        """One statement in one durable transaction (run on the writer thread). A failure is a JournalError."""
        if self.damaged:
            raise JournalError(self.damaged)
        try:
            result = self._write_now(sql, args, must_match=must_match)
        except JournalError:
            self.writable = False
            raise
        self.writable = True
        return result

    def probe(self) -> None:
        """A real writability check: a page of a scratch file written beside the journal (a full volume has no
        room for it), and a durable transaction that rewrites the journal's first page, written and synced
        (``synchronous=FULL``); about 6 ms on an SSD. A full disk, a read-only or vanished
        volume raise :class:`JournalError` (and set :attr:`writable` False); success sets it True."""
        self._call(self._probe_now)

    def _probe_now(self) -> None:
        scratch = self.path.with_name(self.path.name + ".probe")
        try:
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
            try:
                if os.write(fd, os.urandom(PROBE_BYTES)) != PROBE_BYTES:  # the volume must find room for it
                    raise OSError("short write")
            finally:
                os.close(fd)
                scratch.unlink(missing_ok=True)
        except OSError as exc:
            self.writable = False
            raise JournalError(f"journal disk not writable ({scratch}): {exc.strerror or exc}") from exc
        self._write("PRAGMA user_version = " + str(SCHEMA_VERSION), ())

    def _write_now(self, sql: str, args: tuple[Any, ...] | list[Any], *, must_match: bool) -> int:
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
        if self.on_close is not None:
            self.on_close()

    def backup_to(self, target: str | Path) -> Path:
        return backup(self.path, target)


def backup(source: str | Path, target: str | Path) -> Path:
    """A consistent copy with SQLite's online backup API, in one step (a WAL reader: the app's writes
    go on). Written beside the target and renamed into place once SQLite's check passes; on any failure
    the partial file is removed and the message names the files."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    try:
        return _backup(Path(source), target, partial)
    except BaseException as exc:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        if isinstance(exc, JournalError | OSError | sqlite3.Error):
            raise JournalError(f"backup of {source} to {target} failed: {exc} ({partial} removed)") from exc
        raise


def _backup(source: Path, target: Path, partial: Path) -> Path:
    partial.unlink(missing_ok=True)
    # created empty and private first (0600 on POSIX): a copy of the journal is as private as the journal
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    src = sqlite3.connect(read_only_uri(source), uri=True, isolation_level=None)
    try:
        dst = sqlite3.connect(str(partial), isolation_level=None)
        try:
            src.backup(dst)
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise JournalError("the copy does not pass SQLite's check")
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    return target
