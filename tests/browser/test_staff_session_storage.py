"""Where the staff session lives on disk: in the private data dir, never in the directory the app started from.

NiceGUI keeps ``app.storage.user`` (the staff session id, the staff language) in files under ``.nicegui`` of the
working directory unless told otherwise. On the kiosk that is wherever its task started; the session id there would
be readable by whoever can read that folder.
"""

from __future__ import annotations

import stat
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from devtools import AppProcess


def test_a_staff_login_is_kept_in_the_data_dir_not_in_the_working_directory(browser: Browser, tmp_path: Path) -> None:
    data, cwd = tmp_path / "data", tmp_path / "started-here"
    cwd.mkdir()
    app = AppProcess(["demo"], data, cwd=cwd)
    try:
        app.wait_connected(timeout=30)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(app.base + "/admin")
        page.get_by_test_id("nip-input").fill("1234")
        page.get_by_test_id("nip-submit").click()
        expect(page.get_by_test_id("admin-home")).to_be_visible()
        stored = data / "browser-storage"
        # NiceGUI writes its user storage a moment after the change: wait for that, never a fixed sleep
        deadline = time.monotonic() + 10
        while not any("staff_sid" in f.read_text(encoding="utf-8") for f in stored.glob("storage-user-*.json")):
            assert time.monotonic() < deadline, f"no staff session stored under {stored}"
            page.wait_for_timeout(100)
        assert list(cwd.iterdir()) == [], "nothing written where the app was started"
        if sys.platform != "win32":
            assert stat.S_IMODE(stored.stat().st_mode) == 0o700
        page.close()
    finally:
        app.stop()
