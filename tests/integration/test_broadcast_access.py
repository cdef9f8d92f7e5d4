"""Issue 20 "smaller": an engine that broadcasts ``access`` to every client. Before: ``REPLIES[CheckNip]``
took any ``access``, so another client's right NIP opened our gate for a wrong one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kiosk_ui.engine import Backoff, EngineClient
from kiosk_ui.staff.lockout import Lockout
from kiosk_ui.staff.nip import NipChecker

from ..fake_engine import FakeEngine, fake_engine
from ..helpers import eventually

__all__ = ["fake_engine"]


@pytest.fixture
async def checker(tmp_path: Path, fake_engine: FakeEngine) -> AsyncIterator[NipChecker]:
    client = EngineClient(fake_engine.url, backoff=Backoff(first=0.1, cap=0.5))
    client.start()
    await eventually(lambda: client.connected and fake_engine.connections)
    try:
        yield NipChecker(client, Lockout(tmp_path / "lockout.json", 5, 900), timeout=3.0)
    finally:
        await client.stop()


async def answer_checks(engine: FakeEngine, answers: list[bool], *, foreign_true_first: bool = False) -> None:
    """Answer each ``checknip`` as it comes; optionally another client's right NIP is broadcast first."""
    for n, valid in enumerate(answers, start=1):
        await eventually(lambda n=n: len(engine.commands("checknip")) >= n)  # type: ignore[misc]
        if foreign_true_first and n == 1:
            await engine.push("access", validNIP=True, token="someone-else")
        await engine.push("access", validNIP=valid, token="ours" if valid else "")


async def test_a_foreign_true_on_a_broadcasting_engine_does_not_open_the_gate(
    checker: NipChecker, fake_engine: FakeEngine
) -> None:
    await fake_engine.push("access", validNIP=False)  # a reply to nobody here: the engine broadcasts
    await eventually(lambda: checker.broadcasting)
    script = asyncio.create_task(answer_checks(fake_engine, [False, False], foreign_true_first=True))
    result = await checker.check("0000", "10.0.0.5")
    await script
    assert result.outcome == "wrong"


async def test_the_right_nip_on_a_broadcasting_engine_is_confirmed_by_a_second_check(
    checker: NipChecker, fake_engine: FakeEngine
) -> None:
    await fake_engine.push("access", validNIP=True)
    await eventually(lambda: checker.broadcasting)
    script = asyncio.create_task(answer_checks(fake_engine, [True, True]))
    result = await checker.check("1234", "10.0.0.5")
    await script
    assert result.outcome == "ok" and len(fake_engine.commands("checknip")) == 2


async def test_an_engine_that_answers_only_the_asker_needs_one_check(
    checker: NipChecker, fake_engine: FakeEngine
) -> None:
    script = asyncio.create_task(answer_checks(fake_engine, [True]))
    result = await checker.check("1234", "10.0.0.5")
    await script
    assert result.outcome == "ok" and not checker.broadcasting and len(fake_engine.commands("checknip")) == 1
