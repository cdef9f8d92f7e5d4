"""Issue 15: what the vendor manual says against what we assumed. One section per item."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from kiosk_ui.config import ConfigError, load
from kiosk_ui.engine import CommandRefused, EngineClient
from kiosk_ui.kiosk import PaymentRefused
from kiosk_ui.protocol import Codec, ProtocolError
from kiosk_ui.protocol import messages as m
from kiosk_ui.protocol.values import format_amount, parse_change_level, parse_device_error, parse_levels
from kiosk_ui.simulator import SimEngine
from kiosk_ui.simulator.dialect import Dialect
from kiosk_ui.simulator.server import SimServer
from kiosk_ui.staff_rules import REFUSED_BUSY, REFUSED_KEEPS_MONEY, may_send
from kiosk_ui.ui.i18n import STATUS_EN, status_text

from ..helpers import Env, dialog_open, eventually, logged_in, sent

# ----------------------------------------------------------------------------- item 1: cancel "2"

CASH_MOVING = [m.OpenDoor(), m.CashRefill(), m.CashCollect("coin"), m.CashCollect("bill"), m.ResetBalance(),
               m.Shutdown("r"), m.Shutdown("s"), m.Cancel("1"), m.Cancel("2")]  # fmt: skip
HARMLESS = [m.GetStatus(), m.Arqueo(), m.BvReset(), m.CheckBr(), m.Report(), m.CheckNip("1234")]


@pytest.mark.parametrize("message", CASH_MOVING + HARMLESS, ids=lambda x: repr(x))
def test_may_send_rule_table(message: m.Message) -> None:
    assert may_send(message, busy=False, override=False) == ""  # idle: anything goes
    if message in HARMLESS:
        assert may_send(message, busy=True, override=False) == ""
    elif message == m.Cancel("2"):
        assert may_send(message, busy=True, override=False) == REFUSED_KEEPS_MONEY
        assert may_send(message, busy=True, override=True) == REFUSED_KEEPS_MONEY  # override or not
    else:
        assert may_send(message, busy=True, override=False) == REFUSED_BUSY
        assert may_send(message, busy=True, override=True) == ""


async def test_client_guard_never_lets_cancel_2_out_over_a_payment(env: Env) -> None:
    """The last line: even a caller that skips the staff screen cannot send cancel "2" mid-payment."""
    assert await env.kapp.kiosk.start_payment("cash", Decimal("35.50")) is None
    await env.insert("20")
    client = env.kapp.client
    for override in (False, True):
        with pytest.raises(CommandRefused):
            await client.send(m.Cancel("2"), override=override)
    with pytest.raises(CommandRefused):
        await client.request(m.ResetBalance(), timeout=2)  # cash-moving, no override
    await client.send(m.GetStatus())  # a harmless one still goes
    await eventually(lambda: sent(env, m.GetStatus))
    assert not sent(env, m.Cancel) and not sent(env, m.ResetBalance)
    assert env.engine.payment is not None and env.engine.payment.credit == Decimal(20)  # money still there
    await env.kapp.kiosk.cancel("1")  # the customer's own cancel returns the money
    await eventually(lambda: env.engine.payment is None)
    assert sent(env, m.Cancel) == [m.Cancel("1")] and env.engine.last_change == Decimal(20)


async def test_refill_end_is_refused_during_a_payment_without_an_override_offer(env: Env) -> None:
    user = await logged_in(env)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("35.50")) is None
    user.find(marker="action-cashrefill-end").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="action-failed", retries=30)
    assert not dialog_open(user, "action-busy")  # no "do it anyway" for this one
    assert not sent(env, m.Cancel)
    results = [r["result"] for r in env.kapp.journal.staff_actions()]
    assert "refused: payment in progress (never sent during a payment)" in results


# ----------------------------------------------------------------------------- item 3: maxqtybr


async def test_simulator_sends_maxqtybr_as_an_array_of_capacities(sim: tuple[SimEngine, SimServer]) -> None:
    engine, server = sim
    async with connect(server.url) as ws:
        await ws.send(Codec().encode(m.CheckBr()))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if frame["comando"] == "checkbrresult":
                break
    assert isinstance(frame["maxqtybr"], list) and len(frame["maxqtybr"]) == len(engine.recycler)
    assert all(int(n) == 30 for n in frame["maxqtybr"])  # RECYCLER_CAPACITY, not what is inside


async def test_staff_area_draws_maxqtybr_as_capacities(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="action-checkbr").click()
    user.find(marker="confirm-ok").click()
    await user.should_see(marker="recycler-capacity-row", retries=40)
    await user.should_see("Posición 1")
    await user.should_see("capacidad: 30 billetes")
    await user.should_not_see("#1")


# ----------------------------------------------------------------------------- item 4: [protocol]

OTHER_KIOSK = """
[protocol]
send_token = true
token_field = "tok"
cancel_payment = "1"
cancel_refill_end = "3"

[protocol.commands]
checknip = "validarnip"

[protocol.fields.checknip]
nip = "pin"

[protocol.fields.searchproduct]
search = "texto"

[protocol.replies]
bvreset = "status"
"""


def test_protocol_section_renames_at_the_codec(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(OTHER_KIOSK, encoding="utf-8")
    codec = load(path).codec()
    frame = json.loads(codec.encode(m.CheckNip("1234"), "f"))
    assert frame == {"fecha": "f", "comando": "validarnip", "pin": "1234"}
    assert codec.decode(json.dumps(frame)) == m.CheckNip("1234")  # the simulator reads it back
    assert json.loads(codec.encode(m.SearchProduct("coca")))["texto"] == "coca"
    assert json.loads(codec.encode(m.Cancel("2")))["cancelvalue"] == "3"
    assert json.loads(codec.encode(m.Cancel("1")))["cancelvalue"] == "1"
    assert codec.decode('{"comando":"cancel","fecha":"x","cancelvalue":"3"}') == m.Cancel("2")
    with_token = json.loads(codec.encode(m.OpenDoor(), token="abc"))
    assert with_token["tok"] == "abc"
    assert "tok" not in json.loads(codec.encode(m.OpenDoor()))  # no session, no token
    assert codec.replies[m.BvReset] is m.Status
    # defaults: exactly docs/protocol.md, no token
    default = load(None).codec()
    assert json.loads(default.encode(m.CheckNip("1"), "f")) == {"fecha": "f", "comando": "checknip", "nip": "1"}
    assert "token" not in json.loads(default.encode(m.OpenDoor(), token="abc"))
    assert json.loads(default.encode(m.Cancel("2")))["cancelvalue"] == "2"


@pytest.mark.parametrize(
    "text",
    [
        '[protocol.fields.paycash]\ndue = "x"',  # documented command: fixed fields
        '[protocol.fields.checknip]\npin = "x"',  # no such field
        '[protocol.fields.saveproduct]\nudm = "descripcion"',  # two fields on one wire name
        '[protocol.replies]\nreport = "paycash"',  # not a reply
        '[protocol]\ncancel_payment = "2"',  # "2" keeps the money
        '[protocol]\ncancel_refill_end = "1"',  # same as the payment cancel
        '[protocol]\nsend_token = "yes"',
        '[protocol]\ncolour = "blue"',
        "[protocol.commands]\npaycash = 3",
    ],
)
def test_bad_protocol_config_is_one_line_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert "\n" not in str(caught.value) and str(caught.value)


async def test_renamed_protocol_round_trip_against_the_simulator(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(OTHER_KIOSK, encoding="utf-8")
    codec = load(path).codec()
    engine = SimEngine(status_interval=0, codec=codec)
    server = SimServer(engine, "127.0.0.1", 0)
    await server.start()
    client = EngineClient(server.url, codec)
    client.start()
    try:
        await eventually(lambda: client.connected)
        access = await client.request(m.CheckNip("1234"), timeout=5)
        assert isinstance(access, m.Access) and access.valid_nip
        reply = await client.request(m.BvReset(), timeout=5, token="abc")  # answered by status, as configured
        assert isinstance(reply, m.Status)
    finally:
        await client.stop()
        await server.stop()


# ----------------------------------------------------------------------------- item 6: dialects


def _decoded(text: str) -> m.Message:
    return Codec().decode(text)


def _canonical_frames() -> list[str]:
    engine = SimEngine(status_interval=0)
    engine.set_fault("coin_error", True)
    cid = engine.connect()
    engine.receive(cid, Codec().encode(m.PayCash(Decimal("35.50"))))
    engine.insert(Decimal("20"))
    engine.receive(cid, Codec().encode(m.CheckNip("1234")))
    engine.receive(cid, Codec().encode(m.CheckBr()))
    engine.receive(cid, Codec().encode(m.Arqueo()))
    engine.receive(cid, Codec().encode(m.SearchProduct("")))
    engine.receive(cid, Codec().encode(m.Cancel("1")))
    return [text for _, text in engine.drain(float("inf"))]


def _normal(message: m.Message) -> m.Message:
    """What must survive any dialect: tubes as their total, changeBar as its percentage."""
    changes: dict[str, object] = {}
    tubes = getattr(message, "tubes", None)
    if tubes is not None:
        changes["tubes"] = sum(n for _, n in tubes)
    bar = getattr(message, "change_bar", None)
    if bar is not None:
        changes["change_bar"] = bar.percent
    return dataclasses.replace(message, **changes) if changes else message  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["js", "csharp", "mixed"])
def test_every_dialect_decodes_to_the_same_messages(name: str) -> None:
    frames = _canonical_frames()
    for seed in range(40 if name == "mixed" else 1):
        dialect = Dialect(name, seed)
        for text in frames:
            before, after = _decoded(text), _decoded(dialect.apply(text))
            assert _normal(after) == _normal(before), (name, seed, text)
            if isinstance(before, m.Status) and isinstance(after, m.Status) and after.tubes != before.tubes:
                counts = [n for _, n in before.tubes or ()]
                positional = tuple((f"#{i + 1}", n) for i, n in enumerate(counts))
                assert after.tubes in (positional, (("total", sum(counts)),))


def test_mixed_dialect_speaks_every_accepted_form() -> None:
    frames = _canonical_frames()
    dialect = Dialect("mixed", 1)
    seen: set[str] = set()
    for _ in range(30):
        for text in frames:
            obj = json.loads(dialect.apply(text))
            for key, value in obj.items():
                kind = type(value).__name__
                if key == "cobrando":
                    seen.add(f"bool:{value!r}")
                elif key == "Due":
                    seen.add(f"amount:{kind}")
                elif key == "fecha" and "/" in value:
                    seen.add("fecha:dd/MM/yyyy")
                elif key == "changeBar" and isinstance(value, str) and value.endswith("%"):
                    seen.add("changeBar:%")
                elif key == "tubesSW":
                    seen.add(f"tubes:{kind}")
                elif key == "bvError":
                    seen.add(f"bv:{value!r}")
    expected = {"bool:'True'", "bool:True", "bool:'1'", "bool:1", "amount:str", "amount:float", "amount:int",
                "fecha:dd/MM/yyyy", "changeBar:%", "tubes:list", "tubes:dict", "tubes:int", "bv:'False'",
                "bv:'OK'", "bv:None", "bv:0", "bv:'none'", "bv:''"}  # fmt: skip
    assert expected <= seen, expected - seen


def test_mixed_dialect_is_seeded() -> None:
    frames = _canonical_frames()
    assert [Dialect("mixed", 3).apply(f) for f in frames[:5]] != [Dialect("mixed", 4).apply(f) for f in frames[:5]]
    one, two = Dialect("mixed", 3), Dialect("mixed", 3)
    strip = lambda t: {k: v for k, v in json.loads(t).items() if k != "fecha"}  # noqa: E731
    assert [strip(one.apply(f)) for f in frames] == [strip(two.apply(f)) for f in frames]


def test_cli_accepts_the_dialect() -> None:
    from kiosk_ui.cli import make_parser

    args = make_parser().parse_args(["simulate", "--dialect", "mixed", "--port", "0"])
    assert args.dialect == "mixed"
    with pytest.raises(SystemExit):
        make_parser().parse_args(["simulate", "--dialect", "klingon"])


# ----------------------------------------------------------------------------- item 7: device errors


@pytest.mark.parametrize("raw", ["False", "false", "OK", "ok", "none", "None", "", None, 0, "0", False, " OK "])
def test_no_error_spellings(raw: object) -> None:
    assert parse_device_error(raw) == ""


@pytest.mark.parametrize("raw", ["Atasco de billete", "E12", 3, "True"])
def test_real_errors_are_kept(raw: object) -> None:
    assert parse_device_error(raw) != ""


def test_change_bar_percent_sign_reads_like_the_number() -> None:
    for number in (0, 10, 24, 25, 75, 100):
        with_sign = parse_change_level(f"{number}%")
        plain = parse_change_level(number)
        assert with_sign.percent == plain.percent == number
        assert with_sign.is_low == plain.is_low == (number < 25)
    assert parse_change_level("0.5%").percent == Decimal("0.5")  # a percentage, never a fraction


@pytest.mark.parametrize(("bar", "low"), [("20%", True), ("75%", False), (20, True), (75, False)])
async def test_low_change_hint_reads_percent_signs(env: Env, bar: object, low: bool) -> None:
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    frame = json.dumps({"comando": "sockets", "fecha": "14/03/2026 12:22:05", "changeBar": bar})
    for connection in list(env.server._connections.values()):
        await connection.send(frame)
    await eventually(lambda: env.kapp.kiosk.state.change_level is not None and
                     env.kapp.kiosk.state.change_level.text == str(bar))  # fmt: skip
    if low:
        await user.should_see(marker="low-change", retries=30)
    else:
        await user.should_not_see(marker="low-change", retries=30)


async def test_cash_refused_while_both_devices_report_errors(env: Env) -> None:
    env.engine.set_fault("bill_jam", True)
    env.kick()
    await eventually(lambda: env.kapp.kiosk.state.bv_error)
    assert await env.kapp.kiosk.start_payment("cash", Decimal("5")) is None  # coins still work
    await env.kapp.kiosk.cancel("1")
    await eventually(lambda: not env.kapp.kiosk.busy)
    env.engine.set_fault("coin_error", True)
    env.kick()
    await eventually(lambda: env.kapp.kiosk.state.ca_error)
    with pytest.raises(PaymentRefused) as refused:
        await env.kapp.kiosk.start_payment("cash", Decimal("5"))
    assert refused.value.reason == "err_cash_unavailable"
    assert len(sent(env, m.PayCash)) == 1  # the refused one never went out
    user = env.new_user()
    await user.open("/")
    user.find(marker="start").click()
    user.find(marker="key-5").click()
    await user.should_see("El pago en efectivo no está disponible", retries=30)


async def test_no_error_spellings_from_the_engine_show_no_error(env: Env) -> None:
    for spelling in ("False", "OK", "none", 0):
        frame = json.dumps({"comando": "status", "fecha": "x", "bvError": spelling, "caError": spelling})
        for connection in list(env.server._connections.values()):
            await connection.send(frame)
        await env.caught_up()  # the reply comes after the frames sent before it: they have been handled
    await eventually(lambda: env.kapp.kiosk.state.bv_error == "" and env.kapp.kiosk.state.ca_error == "")
    assert env.kapp.client.bad_frames == 0


# ----------------------------------------------------------------------------- item 8: Status texts


def test_known_status_texts_translate_unknown_pass_through() -> None:
    assert status_text("En espera", "en") == "Idle"
    assert status_text("Fondos insuficientes", "en") == "Insufficient funds"
    assert status_text("en espera ", "en") == "Idle"
    assert status_text("Texto nuevo del motor", "en") == "Texto nuevo del motor"
    assert status_text("En espera", "es") == "En espera"
    assert all(es != en for es, en in STATUS_EN.items())


async def test_staff_english_screen_translates_status(env: Env) -> None:
    user = await logged_in(env)
    user.find(marker="staff-lang").click()
    await user.should_see("Idle", retries=30)
    await user.should_not_see("En espera")


# ----------------------------------------------------------------------------- item 9: -0


def test_negative_zero_amount_is_plain_zero() -> None:
    for value in ("-0", "-0.00", "-0.000", "0"):
        assert format_amount(Decimal(value)) == "0.00"
    with pytest.raises(ProtocolError):
        format_amount(Decimal("-0.01"))


# ----------------------------------------------------------------------------- item 10: open door


@pytest.mark.parametrize("config_overrides", [{"wifi_ssid": "quickpaymini001", "wifi_password": "abcdefgh"}])
async def test_staff_area_warns_about_the_default_wifi_password(env: Env) -> None:
    user = await logged_in(env)
    await user.should_see(marker="wifi-default-warning")


@pytest.mark.parametrize("config_overrides", [{"wifi_ssid": "quickpaymini001", "wifi_password": "otra-clave-9"}])
async def test_no_wifi_warning_with_a_changed_password(env: Env) -> None:
    user = await logged_in(env)
    await user.should_not_see(marker="wifi-default-warning")


def test_readme_tells_how_to_close_port_8080() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "8080" in readme and "New-NetFirewallRule" in readme and "abcdefgh" in readme


# ----------------------------------------------------------------------------- tubesSW as one number


def test_tubes_as_a_single_number() -> None:
    assert parse_levels(180) == (("total", 180),)
    assert parse_levels("180") == (("total", 180),)
