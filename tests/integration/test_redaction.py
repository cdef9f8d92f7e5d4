"""Issue 22 item 2: webhook secrets are written nowhere (journal, its CSV/JSON export, a backup, the log).

``kiosk-ui run`` against an engine that is not there raises the "engine unreachable" alert; it goes to
two webhooks on a local HTTP server (127.0.0.1) whose URLs carry a password, a token in the path and a
key in the query: one answers 200, the other 500 (httpx's error spells the whole URL). Then every place
the app writes to is read for the secrets.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devtools import AppProcess, free_port
from kiosk_ui import cli
from kiosk_ui.redact import RedactingFilter, install_log_redaction, safe_error, safe_text, safe_url

SECRETS = ("S3cretPass", "TOKEN123456", "SECRETPATH", "QKEY987")


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200 if "/ok/" in self.path else 500)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hook_url(server: ThreadingHTTPServer, kind: str) -> str:
    port = server.server_address[1]
    return f"http://bot:S3cretPass@127.0.0.1:{port}/{kind}/botTOKEN123456:SECRETPATH/send?key=QKEY987"


def run_cli(*args: str) -> str:
    out = io.StringIO()
    out.reconfigure = lambda **_: None  # type: ignore[attr-defined]  # cli asks for UTF-8 stdout
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return out.getvalue()


def test_webhook_secrets_reach_no_journal_export_backup_or_log(tmp_path: Path, hooks: ThreadingHTTPServer) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        "[alerts]\nengine_down_seconds = 1\nretry_first = 0.2\n"
        f'[[alerts.webhook]]\nurl = "{hook_url(hooks, "ok")}"\n'
        f'[[alerts.webhook]]\nurl = "{hook_url(hooks, "fail")}"\n',
        encoding="utf-8",
    )
    data = tmp_path / "data"
    app = AppProcess(["run", "--engine", f"ws://127.0.0.1:{free_port()}/", "--config", str(config),
                      "--log-level", "debug"], data)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            hits = list(hooks.hits)  # type: ignore[attr-defined]
            if any("/ok/" in h for h in hits) and sum("/fail/" in h for h in hits) >= 2:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"webhooks not called: {hooks.hits}; " + app.log_path.read_text()[-2000:])  # type: ignore[attr-defined]
        csv = ""
        for _ in range(100):  # the journal rows of both deliveries (sent, and failed: retrying)
            csv = run_cli("journal", "--data-dir", str(data), "--format", "csv")
            if "alert" in csv and "sent" in csv and "failed" in csv:
                break
            time.sleep(0.1)
    finally:
        app.stop()
    exported_json = run_cli("journal", "--data-dir", str(data), "--format", "json")
    run_cli("backup", "--data-dir", str(data), "--to", str(tmp_path / "backup.sqlite3"))
    written = {
        "journal file": (data / "journal.sqlite3").read_bytes().decode("latin-1"),
        "csv export": csv,
        "json export": exported_json,
        "backup": (tmp_path / "backup.sqlite3").read_bytes().decode("latin-1"),
        "log": app.log_path.read_text(encoding="utf-8", errors="replace"),
    }
    assert "sent" in csv and "failed" in csv and "HTTP 500" in csv, csv
    port = hooks.server_address[1]
    assert f"http://127.0.0.1:{port}" in csv  # where it went: the host, and only that
    leaks = [(where, secret) for where, text in written.items() for secret in SECRETS if secret in text]
    assert leaks == []


def test_safe_forms() -> None:
    assert safe_url("https://u:p@hooks.slack.com:8443/services/T/B/X?k=v#f") == "https://hooks.slack.com:8443"
    assert safe_url("https://api.telegram.org/bot123:ABC/sendMessage") == "https://api.telegram.org"
    assert safe_url("not a url") == "<url>"
    assert safe_url("http://[::1]:99/x") == "http://[::1]:99"
    text = "Server error '500' for url 'https://u:pw@h.example/bot1:SEC/send?key=K'\nmore"
    assert safe_text(text) == "Server error '500' for url 'https://h.example'\nmore"

    class Response:
        status_code = 503

    class StatusError(Exception):
        response = Response()

    assert safe_error(StatusError("for url https://h/secret")) == "HTTP 503"
    assert safe_error(OSError("connect to https://x:y@h/p failed")) == "OSError: connect to https://h failed"


def test_log_records_are_redacted_and_url_loggers_quiet() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("redaction-test")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install_log_redaction(logger)
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        logger.warning("POST %s", "https://u:pw@h.example/bot1:SEC/send")
        try:
            raise ValueError("https://h.example/SEC2")
        except ValueError:
            logger.exception("failed")
        assert "SEC" not in stream.getvalue() and "pw" not in stream.getvalue()
        assert "https://h.example" in stream.getvalue()
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    finally:
        logger.removeHandler(handler)
