"""Issue 20 item 4 (journal side), item 5 (order) and issue 22 item 6 (files): the journal under disk faults,
a damaged journal at start, ``restore``, read-only ``journal``, backups that leave nothing behind, private
files, and write order that a clock step cannot change."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk_ui.cli import main
from kiosk_ui.errors import RefusalReason
from kiosk_ui.journal import Journal, JournalError, backup, open_journal, store
from kiosk_ui.journal.files import marker_of

from ..fake_engine import FakeEngine, close, fake_engine, make_rig
from .test_journal_scale import make_v1

__all__ = ["fake_engine"]

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- disk full (a small tmpfs)
@contextlib.contextmanager
def small_disk(where: Path, size: str = "1m") -> Iterator[Path]:
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                            capture_output=True)  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path) -> None:
    """Fill the disk to the last byte."""
    for name, block in (("filler", 65536), ("filler2", 1)):
        with contextlib.suppress(OSError), open(disk / name, "wb", buffering=0) as out:
            while True:
                out.write(b"\0" * block)


def test_a_full_disk_fails_the_probe_and_the_writes_then_recovers(tmp_path: Path) -> None:
    """Before: check_writable was an update that wrote nothing: it passed on a full disk."""
    with small_disk(tmp_path / "disk") as disk:
        journal = Journal(disk / "journal.sqlite3")
        try:
            journal.open_payment("before", "cash", "35.50", [])
            journal.probe()
            assert journal.writable
            fill(disk)
            with pytest.raises(JournalError):
                journal.probe()
            assert not journal.writable
            with pytest.raises(JournalError):  # a failed write raises: the caller keeps the outcome and retries
                for i in range(200):
                    journal.update_payment("before", detail="x" * 4000 + str(i))
            for filler in disk.glob("filler*"):
                filler.unlink()
            journal.probe()
            journal.update_payment("before", outcome="completed", credit="40.00")
            assert journal.writable and journal.payment("before")["outcome"] == "completed"  # type: ignore[index]
        finally:
            journal.close()


def test_the_probe_writes_and_syncs_a_page(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    wal = tmp_path / "journal.sqlite3-wal"
    before = wal.stat().st_size if wal.exists() else 0
    journal.probe()
    assert wal.stat().st_size > before  # a frame went to the WAL (synchronous=FULL: synced at commit)
    assert not (tmp_path / "journal.sqlite3.probe").exists()
    journal.close()


# ---------------------------------------------------------------- damaged at start, restore
def good_backup(tmp_path: Path) -> Path:
    journal = Journal(tmp_path / "good" / "journal.sqlite3")
    journal.open_payment("p-good", "cash", "10.00", [])
    journal.update_payment("p-good", outcome="completed", credit="10.00")
    journal.close()
    return backup(tmp_path / "good" / "journal.sqlite3", tmp_path / "good-backup.sqlite3")


async def test_a_damaged_journal_is_kept_aside_and_the_kiosk_is_out_of_service(
    tmp_path: Path, fake_engine: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the app stopped with a traceback and Chrome showed a browser error page to customers."""
    data = tmp_path / "data"
    data.mkdir()
    path = data / "journal.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    damaged = digest(path)
    journal = open_journal(path)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "\n" not in errors[0] and str(path) in errors[0]
    kept = [p for p in data.iterdir() if p.name.startswith("journal.sqlite3.damaged-")]
    assert len(kept) == 1 and digest(kept[0]) == damaged and str(kept[0]) in journal.damaged
    with pytest.raises(JournalError):
        journal.probe()
    rig = await make_rig(tmp_path, fake_engine, journal=journal)
    try:
        await rig.kiosk.probe_journal()
        assert rig.kiosk.can_pay() == RefusalReason.JOURNAL  # out of service, the app still up
    finally:
        await close(rig)
    assert open_journal(path).damaged  # a restart does not forget it
    source = good_backup(tmp_path)
    assert main(["restore", "--data-dir", str(data), "--from", str(source)]) == 0
    restored = open_journal(path)
    assert not restored.damaged and restored.payment("p-good") is not None
    restored.probe()
    restored.close()
    assert len([p for p in data.iterdir() if ".before-restore-" in p.name and p.suffix != ".sqlite3-wal"]) >= 1
    assert not marker_of(path).exists()


@pytest.mark.parametrize("content", [b"", b"not a journal" * 50, None])
def test_restore_refuses_what_is_not_a_sound_journal_and_changes_nothing(
    tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    journal = Journal(data / "journal.sqlite3")
    journal.open_payment("keep", "cash", "1.00", [])
    journal.close()
    before = sorted(p.name for p in data.iterdir())
    source = tmp_path / "copy.sqlite3"
    if content is not None:
        source.write_bytes(content)
    assert main(["restore", "--data-dir", str(data), "--from", str(source)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kiosk-ui: error:") and "\n" not in err and str(source) in err
    assert sorted(p.name for p in data.iterdir()) == before
    assert Journal(data / "journal.sqlite3").payment("keep") is not None


# ---------------------------------------------------------------- backups leave nothing behind
class _Checked:
    """A sqlite3 connection whose quick_check reports damage (as a copy of a failing disk would)."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, sql: str, *args: Any) -> Any:
        if "quick_check" in sql:
            return self.real.execute("SELECT '*** row 3 missing from index'")
        return self.real.execute(sql, *args)

    def backup(self, target: _Checked) -> None:
        self.real.backup(target.real)

    def close(self) -> None:
        self.real.close()


def test_a_failed_backup_removes_its_partial_file_and_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: a copy failing SQLite's check raised past the clean-up and left ``<target>.partial``."""
    Journal(tmp_path / "journal.sqlite3").close()
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _Checked(real(*a, **k)))
    target = tmp_path / "out" / "copy.sqlite3"
    target.parent.mkdir()
    with pytest.raises(JournalError) as caught:
        backup(tmp_path / "journal.sqlite3", target)
    assert str(target) in str(caught.value) and "partial" in str(caught.value)
    assert list(target.parent.iterdir()) == []


# ---------------------------------------------------------------- kiosk-ui journal reads only
def test_the_journal_command_never_migrates_or_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: ``kiosk-ui journal`` (read-only) migrated a v1 journal as a side effect."""
    path = tmp_path / "journal.sqlite3"
    make_v1(path, 30)
    before, names = digest(path), sorted(p.name for p in tmp_path.iterdir())
    assert main(["journal", "--data-dir", str(tmp_path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 30 + 50 + 1
    assert digest(path) == before and sorted(p.name for p in tmp_path.iterdir()) == names


def test_the_journal_command_leaves_a_current_journal_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("p1", "card", "5.00", [])
    journal.close()
    files = {p.name: digest(p) for p in tmp_path.iterdir()}
    assert main(["journal", "--data-dir", str(tmp_path)]) == 0
    assert '"p1"' in capsys.readouterr().out
    assert {p.name: digest(p) for p in tmp_path.iterdir()} == files


# ---------------------------------------------------------------- private files
@posix_only
def test_the_data_dir_secret_and_journal_are_private(tmp_path: Path) -> None:
    """Before: storage-secret and journal.sqlite3 were created 0644."""
    from kiosk_ui.app import storage_secret

    data = tmp_path / "data"
    old = os.umask(0o022)
    try:
        open_journal(data / "journal.sqlite3").close()
        storage_secret(data)
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        copy = backup(data / "journal.sqlite3", tmp_path / "copy.sqlite3")
    finally:
        os.umask(old)
    for path in (data / "journal.sqlite3", data / "storage-secret", copy):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# ---------------------------------------------------------------- order by sequence, not wall clock
def test_order_survives_a_clock_step_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: open_payments and last_reference ordered by wall-clock times."""
    times = iter(["2026-03-14T12:00:00.000Z", "2026-03-14T12:00:00.000Z", "2026-03-14T11:00:00.000Z",
                  "2026-03-14T10:00:00.000Z", "2026-03-14T09:00:00.000Z"])  # fmt: skip
    monkeypatch.setattr(store, "now_iso", lambda: next(times))
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("first", "card", "1.00", [])  # 12:00
    journal.update_payment("first", reference="R-1")  # 12:00
    journal.open_payment("second", "card", "2.00", [])  # 11:00: the clock stepped back an hour
    journal.update_payment("second", reference="R-2")  # 10:00
    journal.open_payment("third", "cash", "3.00", [])  # 09:00
    assert [p["id"] for p in journal.open_payments()] == ["first", "second", "third"]
    assert journal.last_reference() == "R-2"
    journal.close()


def test_the_app_starts_on_a_damaged_journal_and_stays_out_of_service(tmp_path: Path) -> None:
    """``kiosk-ui run`` as the kiosk starts it: no traceback, one error line naming the file, the app serves."""
    import time

    import httpx

    from devtools import AppProcess, free_port

    data = tmp_path / "data"
    data.mkdir()
    (data / "journal.sqlite3").write_bytes(b"\x00garbage, not SQLite" * 500)
    app = AppProcess(["run", "--engine", f"ws://127.0.0.1:{free_port()}/"], data)
    try:
        health = None
        for _ in range(300):
            health = app.health()
            if health and health.get("journal") == "error":
                break
            assert app.process.poll() is None, app.log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        assert health is not None and health["journal"] == "error"
        assert httpx.get(app.base + "/", timeout=5).status_code == 200
        assert "journal" in health.get("alerts", [])  # staff are alerted
    finally:
        app.stop()
    log = app.log_path.read_text(errors="replace")
    assert "Traceback" not in log
    lines = [line for line in log.splitlines() if "is damaged" in line and "ERROR kiosk_ui.journal" in line]
    assert len(lines) == 1 and str(data / "journal.sqlite3") in lines[0] and "kept aside as" in lines[0]


@posix_only
def test_restore_refuses_while_the_app_has_the_journal_open(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    Journal(data / "journal.sqlite3").close()
    source = good_backup(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from kiosk_ui.journal import Journal; j = Journal(sys.argv[1]); j.payments(1);"
        " print('open', flush=True); time.sleep(60)"), str(data / "journal.sqlite3")],
        stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert main(["restore", "--data-dir", str(data), "--from", str(source)]) == 2
        assert "stop kiosk-ui first" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(10)
    assert main(["restore", "--data-dir", str(data), "--from", str(source)]) == 0
