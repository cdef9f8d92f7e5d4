"""What an engine frame costs the app on its way to the screens (issue 23): a coin is told to the screens
without evaluating the alert rules again (they read nothing a coin changes, and ran before any screen heard
of the coin, every frame)."""

from __future__ import annotations

from typing import Any

from ..helpers import Env, eventually, label_text, open_sale


async def test_a_coin_does_not_evaluate_the_alert_rules(env: Env) -> None:
    user = await open_sale(env, "35.5")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: label_text(user, "pay-due") == "$35.50")
    ops = env.kapp.ops
    assert ops is not None
    checks: list[Any] = []
    original = ops.alerts.check

    def counting(*args: Any) -> None:
        checks.append(args)
        original(*args)

    ops.alerts.check = counting  # type: ignore[method-assign]
    await env.insert("20", "10")
    await eventually(lambda: label_text(user, "pay-credit") == "$30.00")
    assert checks == []
    env.engine.power_off(2.0)  # what the rules read still has them evaluated at once
    env.kick()
    await eventually(lambda: not env.kapp.kiosk.state.online)
    await eventually(lambda: len(checks) >= 1)
