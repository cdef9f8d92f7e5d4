"""The command line as UI_CONTRACT.md states it: run | demo | simulate | journal."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from devtools import AppProcess, free_port
from kiosk_ui import cli
from kiosk_ui.config import ConfigError, load
from kiosk_ui.journal import Journal


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk_ui.cli", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", ["run", "demo", "simulate", "journal"])
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0 and "usage: kiosk-ui " + command in result.stdout


def test_demo_answers_health_connected_within_seconds(tmp_path: Path) -> None:
    app = AppProcess(["demo"], tmp_path / "demo")
    try:
        elapsed = app.wait_connected(timeout=30)
        assert elapsed < 20  # ~2 s when idle; 8.9 s seen with six test suites sharing the 2 cores
        health = app.health()
        assert health is not None and health["demo"] is True and health["engine"] == "connected"
        page = httpx.get(app.base + "/", timeout=5)
        assert page.status_code == 200
        assert httpx.get(app.base + "/sim", timeout=5).status_code == 200
        assert httpx.get(app.base + "/kiosk-assets/sounds/coin.wav", timeout=5).headers["content-type"] == "audio/x-wav"
        # the log names the simulator's real address, the one /health reports (issue 21 item 11)
        log = app.log_path.read_text(encoding="utf-8", errors="replace")
        assert f"engine simulator listening on {health['engine_url']}" in log
        assert "engine ws://127.0.0.1:8080/" not in log
    finally:
        app.stop()


def test_run_without_engine_reports_disconnected_and_keeps_serving(tmp_path: Path) -> None:
    app = AppProcess(["run", "--engine", f"ws://127.0.0.1:{free_port()}/"], tmp_path / "run")
    try:
        for _ in range(100):
            health = app.health()
            if health and health["engine"] == "disconnected":
                break
            import time

            time.sleep(0.1)
        assert health is not None and health["engine"] == "disconnected"
        assert app.process.poll() is None
    finally:
        app.stop()


def test_bad_engine_url_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("run", "--engine", "http://kiosk:8080", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kiosk-ui: error: engine URL must look like ws://HOST:PORT/, got 'http://kiosk:8080'"
    ]


def test_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("run", "--port", str(port), "--host", "127.0.0.1", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and f"port {port}" in result.stderr


def test_unreadable_config_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_cli("run", "--config", str(tmp_path / "missing.toml"))
    assert result.returncode == 2 and "cannot read config file" in result.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[engine\nurl=", encoding="utf-8")
    result = run_cli("run", "--config", str(broken))
    assert result.returncode == 2 and "is not valid TOML" in result.stderr


def test_config_file_and_flags(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[engine]\nurl = "ws://10.1.2.3:8080/"\n[server]\nport = 9000\n[kiosk]\nmax_amount = 500\nvoice = false\n'
        '[staff]\nnip_max_attempts = 3\n[commands]\npaycash = "pagarefectivo"\n',
        encoding="utf-8",
    )
    config = load(path, port=9100)
    assert config.engine_url == "ws://10.1.2.3:8080/" and config.port == 9100
    assert str(config.max_amount) == "500" and config.voice is False and config.nip_max_attempts == 3
    assert config.codec().names["paycash"] == "pagarefectivo"
    for bad in ('[kiosk]\nvoice = "yes"\n', "[nope]\nx = 1\n", '[commands]\nnosuch = "x"\n', "[server]\nport = 0\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError):
            load(path)


def test_journal_command_prints_oldest_first(tmp_path: Path) -> None:
    result = run_cli("journal", "--data-dir", str(tmp_path))
    assert result.returncode == 0 and json.loads(result.stdout) == []
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open_payment("p1", "cash", "35.50", [])
    journal.update_payment("p1", outcome="completed", credit="40.00", change_paid="4.50")
    journal.record_action("opendoor", "done", client="10.0.0.5")
    journal.close()
    rows = json.loads(run_cli("journal", "--data-dir", str(tmp_path), "--format", "json").stdout)
    assert [r["kind"] for r in rows] == ["payment", "staff"]
    assert rows[0]["outcome"] == "completed" and rows[0]["change_paid"] == "4.50"
    csv_out = run_cli("journal", "--data-dir", str(tmp_path), "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("kind,at,") and len(csv_out) == 3


def test_main_parses_like_the_contract() -> None:
    parser = cli.make_parser()
    args = parser.parse_args(["run", "--engine", "ws://h:1/", "--port", "8081", "--data-dir", "/tmp/x"])
    assert (args.command, args.engine, args.port, str(args.data_dir)) == ("run", "ws://h:1/", 8081, "/tmp/x")
    assert parser.parse_args(["simulate"]).port == 8080
