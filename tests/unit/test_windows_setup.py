"""`kiosk-ui windows-setup`: two Task Scheduler tasks, well-formed, logon-triggered, restarted on failure."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kiosk_ui.cli import main
from kiosk_ui.windows_setup import CHROME_FLAGS, TASK_NS

NS = {"t": TASK_NS}


def parse(path: Path) -> ET.Element:
    raw = path.read_bytes()
    assert raw.startswith(b"\xff\xfe"), "UTF-16 with a byte-order mark, as Task Scheduler writes it"
    return ET.fromstring(raw)  # the declaration says UTF-16 and expat decodes it


def command_line(task: ET.Element) -> tuple[str, list[str]]:
    command = task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) or ""
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS) or ""
    return command, [a.strip('"') for a in shlex.split(arguments, posix=False)]  # Windows quoting


def test_writes_two_well_formed_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["windows-setup", "--out", str(tmp_path), "--port", "8090", "--user", r"KIOSK\cajero",
                 "--config", r"C:\kiosk-ui\kiosk.toml", "--install-dir", r"C:\Program Files\kiosk ui"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert 'schtasks /create /tn "kiosk-ui\\app" /xml' in out and "kiosk-ui-chrome.xml" in out
    app = parse(tmp_path / "kiosk-ui-app.xml")
    chrome = parse(tmp_path / "kiosk-ui-chrome.xml")
    for task in (app, chrome):
        assert task.tag == f"{{{TASK_NS}}}Task"
        trigger = task.find("t:Triggers/t:LogonTrigger", NS)
        assert trigger is not None and trigger.findtext("t:Enabled", namespaces=NS) == "true"
        assert trigger.findtext("t:UserId", namespaces=NS) == r"KIOSK\cajero"
        assert task.findtext("t:Settings/t:RestartOnFailure/t:Interval", namespaces=NS) == "PT1M"
        assert int(task.findtext("t:Settings/t:RestartOnFailure/t:Count", namespaces=NS) or 0) >= 3
        assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=NS) == "PT0S"
        assert task.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=NS) == "IgnoreNew"
    command, args = command_line(app)
    assert command == r"C:\Program Files\kiosk ui\venv\Scripts\kiosk-ui.exe"
    assert args[:5] == ["run", "--engine", "ws://127.0.0.1:8080/", "--port", "8090"]
    assert args[args.index("--data-dir") + 1] == r"C:\Program Files\kiosk ui\data"  # quoted: it has spaces
    assert args[args.index("--config") + 1] == r"C:\kiosk-ui\kiosk.toml"
    command, args = command_line(chrome)
    assert command.endswith("chrome.exe")
    for flag in CHROME_FLAGS:
        assert flag in args
    assert "--autoplay-policy=no-user-gesture-required" in args and "--disable-pinch" in args
    assert "--disable-features=Translate" in args
    assert r"--user-data-dir=C:\Program Files\kiosk ui\chrome" in args
    assert args[-1] == "http://127.0.0.1:8090/"


def test_prints_without_out_and_refuses_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["windows-setup"]) == 0
    out = capsys.readouterr().out
    assert out.count("<Task ") == 2 and "LogonTrigger" in out
    assert main(["windows-setup", "--engine", "http://nope"]) == 2
    assert "engine URL" in capsys.readouterr().err
    assert main(["windows-setup", "--port", "0"]) == 2


def test_prints_the_icacls_lines_that_make_the_data_folder_private(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22 item 6: on Windows the data folder inherited the ACLs of C:\\ (readable by every user)."""
    assert main(["windows-setup", "--out", str(tmp_path), "--user", r"KIOSK\cajero"]) == 0
    out = capsys.readouterr().out
    assert r'icacls "C:\kiosk-ui\data" /inheritance:r /grant:r "KIOSK\cajero:(OI)(CI)F"' in out
    assert "*S-1-5-18:(OI)(CI)F" in out and "*S-1-5-32-544:(OI)(CI)F" in out
    assert main(["windows-setup"]) == 0
    printed = capsys.readouterr().out
    assert "%USERNAME%:(OI)(CI)F" in printed and printed.count("<Task ") == 2
