"""Issue 22 item 3: every numeric setting has a documented range and a one-line error outside it."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk_ui import cli
from kiosk_ui.config import AlertConfig, Config, ConfigError, load
from kiosk_ui.config_bounds import ALERTS, SETTINGS, bounds_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
NUMERIC = ("int", "float", "Decimal")


def numeric_fields(cls: type) -> set[str]:
    return {f.name for f in fields(cls) if str(f.type) in NUMERIC}


def test_every_numeric_setting_has_a_range() -> None:
    assert numeric_fields(Config) == {name for name, _ in SETTINGS.values()}
    assert numeric_fields(AlertConfig) == set(ALERTS)


def test_the_ranges_are_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [line for line in bounds_table().splitlines() if line not in text]
    assert missing == [], "docs/operations.md 'Settings and their ranges' is not bounds_table()"


def load_text(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return load(path)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[staff]\nnip_lockout_minutes = 0", "[staff] nip_lockout_minutes must be a number from 1–1440 min, got 0"),
        ("[staff]\nnip_lockout_minutes = -5", "[staff] nip_lockout_minutes must be a number from 1–1440 min, got -5"),
        ("[staff]\nnip_max_attempts = 11", "[staff] nip_max_attempts must be a number from 1–10, got 11"),
        ("[staff]\nnip_max_attempts = 0", "[staff] nip_max_attempts must be a number from 1–10, got 0"),
        ("[staff]\nsession_idle_minutes = 61", "[staff] session_idle_minutes must be a number from 1–60 min, got 61"),
        ("[staff]\nsession_idle_minutes = 0", "[staff] session_idle_minutes must be a number from 1–60 min, got 0"),
        ("[kiosk]\nmax_amount = nan", "[kiosk] max_amount must be a number from 0.01–99999 pesos, got Decimal('NaN')"),
        (
            '[kiosk]\nmax_amount = "NaN"',
            "[kiosk] max_amount must be a number from 0.01–99999 pesos, got Decimal('NaN')",
        ),
        (
            '[kiosk]\nmax_amount = "sNaN"',
            "[kiosk] max_amount must be a number from 0.01–99999 pesos, got Decimal('sNaN')",
        ),
        (
            "[kiosk]\nmax_amount = inf",
            "[kiosk] max_amount must be a number from 0.01–99999 pesos, got Decimal('Infinity')",
        ),
        ("[kiosk]\nack_timeout = nan", "[kiosk] ack_timeout must be a number from 0.5–60 s, got nan"),
        ("[kiosk]\nack_timeout = -inf", "[kiosk] ack_timeout must be a number from 0.5–60 s, got -inf"),
        ("[kiosk]\nsale_timeout = 0", "[kiosk] sale_timeout must be a number from 1–3600 s, got 0"),
        ("[kiosk]\ntimeout_answer = 19", "[kiosk] timeout_answer must be a number from 20–600 s, got 19"),
        ("[kiosk]\nscreen_watchdog = -1", "[kiosk] screen_watchdog must be a number from 0–86400 s, got -1"),
        ("[server]\nport = 70000", "[server] port must be a number from 1–65535, got 70000"),
        ("[alerts]\nrepeat_minutes = nan", "[alerts] repeat_minutes must be a number from 0.01–10080 min, got nan"),
        ("[alerts]\nretry_cap = inf", "[alerts] retry_cap must be a number from 0.1–86400 s, got inf"),
        (
            "[alerts]\nchange_owed_max = nan",
            "[alerts] change_owed_max must be a number from 0–99999 pesos, got Decimal('NaN')",
        ),
        ("[alerts]\ncoin_tube_min = -1", "[alerts] coin_tube_min must be a number from 0–10000 coins, got -1"),
        ("[engine]\nping_interval = 0", "[engine] ping_interval must be a number from 1–300 s, got 0"),
        ("[engine]\nsilent_alert = nan", "[engine] silent_alert must be a number from 1–3600 s, got nan"),
        ('[engine]\nsilence_timeout = "60"', "[engine] silence_timeout must be a number from 5–3600 s, got '60'"),
        ("[alerts]\nretry_first = 10\nretry_cap = 5", "[alerts] retry_cap (5.0) must be at least retry_first (10.0)"),
    ],
)
def test_out_of_range_is_one_line_and_refused(tmp_path: Path, toml: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(tmp_path, toml)
    assert str(caught.value) == says
    assert "\n" not in str(caught.value)


def test_the_edges_are_accepted(tmp_path: Path) -> None:
    config = load_text(
        tmp_path,
        "[staff]\nnip_lockout_minutes = 1\nnip_max_attempts = 10\nsession_idle_minutes = 60\n"
        "[kiosk]\nmax_amount = 99999\nack_timeout = 0.5\n[alerts]\nengine_down_seconds = 1\n",
    )
    assert config.nip_lockout_minutes == 1 and config.nip_max_attempts == 10 and config.session_idle_minutes == 60
    assert config.max_amount == Decimal("99999")


def test_a_command_with_nan_says_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nmax_amount = "sNaN"\n', encoding="utf-8")
    code = cli.main(["journal", "--config", str(config), "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0 and "max_amount must be a number" in err and "Traceback" not in err
