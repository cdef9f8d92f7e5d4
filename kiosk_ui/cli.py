"""The ``kiosk-ui`` command: run | demo | simulate | journal | backup | restore | unlock | windows-setup
(docs/contract.md)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config, ConfigError, check_engine_url, default_data_dir, load
from .errors import JournalError
from .redact import install_log_redaction

log = logging.getLogger("kiosk_ui")


def _add_common(parser: argparse.ArgumentParser, *, port_default: str) -> None:
    parser.add_argument("--port", type=int, help=f"port of the app's web server (default {port_default})")
    parser.add_argument("--host", help="listen address (default 0.0.0.0, so staff tablets reach it)")
    parser.add_argument("--data-dir", type=Path, help=f"journal, settings and images (default {default_data_dir()})")
    parser.add_argument("--config", type=Path, help="TOML configuration file (flags override it)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])


def _add_reading(parser: argparse.ArgumentParser) -> None:
    from .simulator import speech

    parser.add_argument("--reading", default=speech.DEFAULT, choices=[*speech.NAMES, speech.MIXED], metavar="NAME",
                        help=f"what the simulator's end-of-sale fields mean (docs/protocol.md, Readings): "
                             f"credit-change-due-reference, e.g. left-running-zeroed-early, or mixed (one per "
                             f"sale); default {speech.DEFAULT}")  # fmt: skip


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-ui", description="Customer screen and staff area for the Quickpaymini payment kiosk."
    )
    parser.add_argument("--version", action="version", version=f"kiosk-ui {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="the production app against a real engine",
        description="Serve the customer screen and staff area, connected to the kiosk's engine.",
    )
    run.add_argument("--engine", help="engine WebSocket URL (default ws://127.0.0.1:8080/)")
    _add_common(run, port_default="8081")

    demo = sub.add_parser(
        "demo",
        help="the app plus the built-in engine simulator, with /sim controls",
        description="Try kiosk-ui without a kiosk: the engine simulator runs in the same process.",
    )
    _add_common(demo, port_default="8081")
    _add_reading(demo)

    simulate = sub.add_parser(
        "simulate",
        help="the engine simulator alone",
        description="Run only the engine simulator, for pairing with any client.",
    )
    simulate.add_argument("--port", type=int, default=8080, help="WebSocket port (default 8080)")
    simulate.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    simulate.add_argument("--nip", default="1234", help="staff NIP the simulator accepts (default 1234)")
    simulate.add_argument(
        "--card",
        default="approve",
        choices=["approve", "decline", "manual"],
        help="what the simulated card terminal answers (default approve, after 3 s)",
    )
    simulate.add_argument("--catalog", type=Path, help="SQLite file for the product catalog (default: in memory)")
    simulate.add_argument(
        "--dialect",
        default="js",
        choices=["js", "csharp", "mixed"],
        help='how the simulator spells values: js (default), csharp ("True", numbers, dd/MM/yyyy), '
        "or mixed (any accepted spelling, chosen per field and message)",
    )
    simulate.add_argument("--seed", type=int, default=7, help="random seed of the mixed dialect (default 7)")
    _add_reading(simulate)
    simulate.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])

    journal = sub.add_parser(
        "journal",
        help="print the journal (payments and staff actions), oldest first",
        description="Print the journal of payments and staff actions, oldest first.",
    )
    journal.add_argument("--data-dir", type=Path, help=f"where the journal is (default {default_data_dir()})")
    journal.add_argument("--format", choices=["csv", "json"], default="json")
    journal.add_argument("--config", type=Path, help="TOML configuration file")
    journal.add_argument("--since", help="from this local date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)")
    journal.add_argument("--until", help="up to this local date, inclusive (YYYY-MM-DD), or time, exclusive")

    backup = sub.add_parser(
        "backup",
        help="a consistent copy of the journal while the app runs",
        description="Copy the journal with SQLite's online backup API (safe while the app runs). "
        "'{date}' in FILE becomes today's date.",
    )
    backup.add_argument("--data-dir", type=Path, help=f"where the journal is (default {default_data_dir()})")
    backup.add_argument("--to", required=True, help="the copy to write, e.g. D:/backups/journal-{date}.sqlite3")
    backup.add_argument("--config", type=Path, help="TOML configuration file")

    restore = sub.add_parser(
        "restore",
        help="put a checked copy of the journal back (the journal there now is kept aside, never overwritten)",
        description="Check FILE like backup does, keep the current journal aside and put the copy in its place. "
        "Stop the app first; start it again afterwards.",
    )
    restore.add_argument("--data-dir", type=Path, help=f"where the journal is (default {default_data_dir()})")
    restore.add_argument("--from", dest="source", required=True, type=Path, help="the journal copy to put back")
    restore.add_argument("--config", type=Path, help="TOML configuration file")

    win = sub.add_parser(
        "windows-setup",
        help="Windows Task Scheduler XML: the app and Chrome in kiosk mode, at logon, restarted on failure",
        description="Print (or write with --out) the two Task Scheduler tasks that run the kiosk PC by itself.",
    )
    win.add_argument("--out", type=Path, help="folder to write kiosk-ui-app.xml and kiosk-ui-chrome.xml (UTF-16)")
    win.add_argument("--install-dir", default=r"C:\kiosk-ui", help=r"install folder (default C:\kiosk-ui)")
    win.add_argument("--exe", default="", help=r"kiosk-ui launcher (default INSTALL_DIR\venv\Scripts\kiosk-ui.exe)")
    win.add_argument("--engine", default="ws://127.0.0.1:8080/", help="engine WebSocket URL")
    win.add_argument("--port", type=int, default=8081, help="the app's port (default 8081)")
    win.add_argument("--data-dir", default="", help=r"data folder (default INSTALL_DIR\data)")
    win.add_argument("--config", default="", help="TOML configuration file the app should read")
    win.add_argument("--chrome", default=r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                     help="chrome.exe path")  # fmt: skip
    win.add_argument("--user", default="", help=r"the Windows account that logs on at the kiosk (DOMAIN\user)")
    unlock = sub.add_parser(
        "unlock",
        help="clear the NIP lockout (recovery from a guessing attack)",
        description="Clear every NIP lock and counted failure; a running app picks it up at its next NIP check.",
    )
    unlock.add_argument("--data-dir", type=Path, help=f"the app's data dir (default {default_data_dir()})")
    unlock.add_argument("--config", type=Path, help="TOML configuration file")
    return parser


def _fail(message: str) -> int:
    print(f"kiosk-ui: error: {message}", file=sys.stderr)
    return 2


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"port {port} on {host} is busy or not allowed ({exc.strerror or exc})") from None


def _load(args: argparse.Namespace, **extra: Any) -> Config:
    return load(args.config, port=getattr(args, "port", None), host=getattr(args, "host", None),
                data_dir=getattr(args, "data_dir", None), **extra)  # fmt: skip


def _serve(config: Config, reading: str = "") -> int:
    # A parent process's test runner (an acceptance suite that starts us with this CLI) leaks
    # PYTEST_CURRENT_TEST into our environment; NiceGUI would then take us for its own test
    # and ignore --port. This process is the real server: drop the variables.
    for name in ("PYTEST_CURRENT_TEST", "NICEGUI_USER_SIMULATION", "NICEGUI_SCREEN_TEST_PORT"):
        os.environ.pop(name, None)
    from nicegui import ui

    from .app import browser_storage_dir, build, storage_secret
    from .conn_guard import Limits, uvicorn_options

    _check_port_free(config.host, config.port)
    browser_storage_dir(config.data_dir)
    kapp = build(config)
    if reading and kapp.sim_engine is not None:
        kapp.sim_engine.set_reading(reading)
    # demo: the simulator listens on a port of its own, chosen at start-up and logged then ("engine
    # simulator listening on ws://..."); config.engine_url is not where this app connects
    engine = "the built-in simulator" if config.demo else config.engine_url
    log.info("kiosk-ui %s on http://%s:%d/ (engine %s)%s", __version__, config.host, config.port,
             engine, " DEMO" if config.demo else "")  # fmt: skip
    ui.run(
        host=config.host, port=config.port, title="Quickpaymini", reload=False, show=False,
        storage_secret=storage_secret(config.data_dir), language="es", favicon="💳",
        show_welcome_message=False, uvicorn_logging_level="warning", reconnect_timeout=10.0,
        # no per-message deflate on the screens' WebSockets: it compressed every small update for a screen on the
        # same PC (about 0.4 ms of the server per screen and update, and the browser's inflate) to save nothing
        ws_per_message_deflate=False,
        **uvicorn_options(Limits()),  # header deadline, per-address and LAN connection caps (conn_guard.py)
    )  # fmt: skip
    del kapp
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from .simulator import Catalog, SimEngine
    from .simulator.dialect import Dialect
    from .simulator.server import serve_forever

    engine = SimEngine(nip=args.nip, card_mode=args.card, reading=args.reading, reading_seed=args.seed,
                       catalog=Catalog(args.catalog) if args.catalog else Catalog())  # fmt: skip
    try:
        _check_port_free(args.host, args.port)
        print(f"engine simulator on ws://{args.host}:{args.port}/ (NIP {args.nip}, {args.dialect} dialect, "
              f"reading {args.reading}); "
              "Ctrl+C stops it", flush=True)  # fmt: skip
        asyncio.run(serve_forever(engine, args.host, args.port, Dialect(args.dialect, args.seed)))
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        pass
    return 0


def _utf8_stdout() -> Any:
    """stdout as UTF-8 whatever the console code page (Windows cp1252 would fail on other characters)."""
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", newline="")
    return out


def _journal(args: argparse.Namespace) -> int:
    from .journal import Filter, JournalError, json_chunks, open_for_reading, parse_bound, write_csv

    try:
        since = parse_bound(args.since, end=False) if args.since else None
        until = parse_bound(args.until, end=True) if args.until else None
        flt = Filter(since=since, until=until)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        config = load(args.config, data_dir=args.data_dir)
        path = config.data_dir / "journal.sqlite3"
        journal = open_for_reading(path) if path.exists() else None  # never writes (nor migrates) the file
    except (ConfigError, JournalError) as exc:
        return _fail(str(exc))
    out = _utf8_stdout()
    try:
        if args.format == "json":
            for chunk in json_chunks(journal.export_batches(flt) if journal else iter(())):
                out.write(chunk)
        else:
            write_csv(journal.csv_lines(flt) if journal else iter(()), out)
        out.flush()
    except JournalError as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # `kiosk-ui journal | more` closed early: not an error
        sys.stdout = None  # type: ignore[assignment]  # nothing left to flush at exit
    finally:
        if journal:
            journal.close()
    return 0


def _backup(args: argparse.Namespace) -> int:
    import datetime as dt

    from .journal import JournalError, backup

    try:
        config = load(args.config, data_dir=args.data_dir)
        path = config.data_dir / "journal.sqlite3"
        if not path.exists():
            return _fail(f"no journal at {path}")
        target = Path(args.to.replace("{date}", dt.date.today().isoformat()))
        if target.resolve() == path.resolve() or target.is_dir():
            return _fail(f"--to must be a new file name, not {target}")
        target.parent.mkdir(parents=True, exist_ok=True)
        backup(path, target)
    except (ConfigError, JournalError, OSError) as exc:
        return _fail(str(exc))
    print(f"journal copied to {target}", flush=True)
    return 0


def _restore(args: argparse.Namespace) -> int:
    from .journal import JournalError, check_copy, restore

    try:
        config = load(args.config, data_dir=args.data_dir)
        path = config.data_dir / "journal.sqlite3"
        count = check_copy(args.source)
        aside = restore(path, args.source)
    except (ConfigError, JournalError, OSError) as exc:
        return _fail(str(exc))
    kept = f"; the journal that was there is kept as {aside}" if aside else ""
    print(f"journal restored from {args.source} ({count} payments) to {path}{kept}", flush=True)
    return 0


def _windows_setup(args: argparse.Namespace) -> int:
    from .windows_setup import Setup, import_commands, private_data_commands, tasks, write

    check_engine_url(args.engine)
    if not 0 < args.port < 65536:
        raise ConfigError(f"port must be 1-65535, got {args.port}")
    setup = Setup(install_dir=args.install_dir, exe=args.exe, engine_url=args.engine, port=args.port,
                  data_dir=args.data_dir, config=args.config, chrome=args.chrome, user=args.user)  # fmt: skip
    if args.out is None:
        for name, xml in tasks(setup).items():  # on a console: text, so not UTF-16 (use --out for files)
            print(f"<!-- {name} -->\n" + xml.replace('encoding="UTF-16"', 'encoding="UTF-8"', 1))
        print("<!-- the data folder, readable by the kiosk's user only (cmd, as administrator):\n"
              + "\n".join(private_data_commands(setup)) + "\n-->")  # fmt: skip
        return 0
    try:
        paths = write(setup, args.out)
    except OSError as exc:
        return _fail(f"cannot write to {args.out}: {exc.strerror or exc}")
    print("wrote " + ", ".join(str(p) for p in paths) + "\nimport them on the kiosk PC with:")
    print("\n".join(import_commands(paths)))
    print("make the data folder readable by the kiosk's user only (cmd, as administrator):")
    print("\n".join(private_data_commands(setup)))
    return 0


def _unlock(args: argparse.Namespace) -> int:
    from .staff import clear_lockout

    try:
        config = load(args.config, data_dir=args.data_dir)
    except ConfigError as exc:
        return _fail(str(exc))
    path = config.data_dir / "nip-lockout.json"
    if not config.data_dir.is_dir():
        return _fail(f"no data dir at {config.data_dir}")
    try:
        active = clear_lockout(path)
    except OSError as exc:
        return _fail(f"cannot write {path}: {exc.strerror or exc}")
    print(f"NIP lockout cleared ({active} active lock(s) removed) in {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", "info").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    # websockets logs every frame at DEBUG, and a checknip frame carries the NIP: never below INFO
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.getLogger().level))
    install_log_redaction()  # no URL path, userinfo or query in the log (webhook secrets), httpx quiet
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "journal":
            return _journal(args)
        if args.command == "windows-setup":
            return _windows_setup(args)
        if args.command == "unlock":
            return _unlock(args)
        if args.command == "backup":
            return _backup(args)
        if args.command == "restore":
            return _restore(args)
        if args.command == "run":
            if args.engine:
                check_engine_url(args.engine)
            return _serve(_load(args, engine_url=args.engine))
        if args.command == "demo":
            return _serve(_load(args, demo=True), args.reading)
    except (ConfigError, JournalError) as exc:  # one line, never a traceback (a journal that cannot open)
        return _fail(str(exc))
    return _fail(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
