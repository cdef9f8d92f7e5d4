"""The journal's files: opened at start (a damaged one kept aside, never overwritten), read without writing,
restored from a checked copy, and private to the kiosk's user (0700 folder, 0600 files on POSIX; on Windows
``kiosk-ui windows-setup`` prints the ``icacls`` lines that do the same)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from ..errors import JournalDamaged, JournalError
from .core import backup, read_only_uri
from .schema import SCHEMA_VERSION
from .store import Journal

log = logging.getLogger(__name__)

#: SQLite's companions of a database file (moved together with it)
COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by this user only; tighten it if it exists (POSIX)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if sys.platform != "win32":
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable by this user only (POSIX; Windows: the folder's ACL, see windows-setup)."""
    if sys.platform != "win32" and path.exists():
        os.chmod(path, 0o600)


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 before anything writes it (so it is never world-readable)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    private_file(path)


def marker_of(path: Path) -> Path:
    """The file that keeps "the journal is out of service" across restarts until ``kiosk-ui restore``."""
    return path.with_name(path.name + ".damaged")


def set_aside(path: Path, label: str) -> Path:
    """Rename ``path`` and its companions to ``<name>.<label>-<time>`` (a new name: nothing is overwritten)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while any(aside.with_name(aside.name + c).exists() for c in ("", *COMPANIONS)):
        n += 1
        aside = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    for companion in COMPANIONS:
        extra = path.with_name(path.name + companion)
        if extra.exists():
            extra.rename(aside.with_name(aside.name + companion))
    path.rename(aside)
    return aside


def open_journal(path: Path) -> Journal:
    """The journal for ``run``: migrated, private. A damaged one is renamed aside (one log line naming both
    files), a fresh one opened in its place with :attr:`Journal.damaged` set, so the kiosk stays up, out of
    service, until ``kiosk-ui restore`` puts a good copy back (the state survives restarts: a marker file)."""
    private_dir(path.parent)
    create_private(path)
    marker = marker_of(path)
    try:
        journal = Journal(path)
    except JournalDamaged as exc:
        aside = set_aside(path, "damaged")
        reason = str(exc).split(": ", 1)[-1]
        message = (f"journal {path} is damaged ({reason}); kept aside as {aside}; payments are out of service"
                   f" until: kiosk-ui restore --data-dir {path.parent} --from BACKUP")  # fmt: skip
        log.error("%s", message)
        marker.write_text(message, encoding="utf-8")
        create_private(path)
        journal = Journal(path)
    for name in (path, *(path.with_name(path.name + c) for c in COMPANIONS)):
        private_file(name)
    if marker.exists():
        journal.damaged = marker.read_text(encoding="utf-8").strip() or f"journal {path} was damaged"
        journal.writable = False
    return journal


def open_for_reading(path: Path) -> Journal:
    """A journal for ``kiosk-ui journal``: the file is never written. An older schema is read from a
    migrated temporary copy (the migration itself happens once, at ``run``)."""
    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise JournalError(f"cannot read the journal at {path}: {exc}") from exc
    if version >= 2:
        return Journal(path, readonly=True)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-ui-journal-"))
    try:
        copy = backup(path, folder / "journal.sqlite3")
        journal = Journal(copy)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    journal.on_close = lambda: shutil.rmtree(folder, ignore_errors=True)
    return journal


def check_copy(source: Path) -> int:
    """What ``restore`` (like ``backup``) requires of a journal copy: a sound SQLite file holding a journal of
    a schema this app knows. Returns its payment count; a :class:`JournalError` names the file otherwise."""
    if not source.is_file():
        raise JournalError(f"no journal copy at {source}")
    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(source), uri=True)) as db:
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            count = db.execute("SELECT count(*) FROM payments").fetchone()[0] if "payments" in tables else 0
    except sqlite3.Error as exc:
        raise JournalError(f"{source} is not a readable journal: {exc}") from exc
    if check != "ok":
        raise JournalError(f"{source} does not pass SQLite's check: {check}")
    if not 1 <= version <= SCHEMA_VERSION or not {"payments", "staff_actions"} <= tables:
        raise JournalError(f"{source} is not a kiosk-ui journal (schema v{version})")
    return int(count)


#: the byte of a -shm file that every open SQLite connection holds a shared lock on (unix VFS "DMS" slot)
_SHM_DMS_BYTE = 128


def in_use(path: Path) -> bool:
    """True when another process has the journal open (POSIX: SQLite's lock on its -shm file). On Windows an
    open journal cannot be renamed at all, so :func:`restore` fails there with the system's message."""
    shm = path.with_name(path.name + "-shm")
    if sys.platform == "win32" or not shm.exists():
        return False
    import fcntl

    with open(shm, "rb+") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(handle, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
    return False


def restore(path: Path, source: Path) -> Path | None:
    """Put the checked copy ``source`` in place of the journal at ``path`` (the app must be stopped). The
    journal there now, if any, is kept aside, never overwritten; returns where it went."""
    if source.resolve() == path.resolve():
        raise JournalError(f"--from must be a copy, not the journal itself ({path})")
    if in_use(path):
        raise JournalError(f"the journal {path} is open in a running app: stop kiosk-ui first, then restore")
    check_copy(source)
    private_dir(path.parent)
    partial = path.with_name(path.name + ".restore")
    backup(source, partial)  # a consistent copy, checked again, partial files cleaned on failure
    aside = set_aside(path, "before-restore") if path.exists() else None
    partial.replace(path)
    private_file(path)
    marker_of(path).unlink(missing_ok=True)
    return aside
