"""What an engine frame costs the app on its way to the screens (issue 23): a coin is told to the screens
without evaluating the alert rules again (they read nothing a coin changes, and ran before any screen heard
of the coin, every frame)."""

from __future__ import annotations

from typing import Any

import pytest
from nicegui.classes import Classes
from nicegui.elements.mixins.disableable_element import DisableableElement
from nicegui.elements.mixins.text_element import TextElement
from nicegui.elements.mixins.visibility import Visibility
from nicegui.props import Props

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


async def test_a_coin_touches_only_the_live_figures(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """A credit update moves the three live figures and nothing else: no other element of the screen is set
    again (each set costs the server its checks, ten screens per coin), and the screen gets one browser
    message (the figures and the clink) and no element update."""
    user = await open_sale(env, "35.5")
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: label_text(user, "pay-due") == "$35.50")
    await env.insert("10")
    await eventually(lambda: label_text(user, "pay-credit") == "$10.00")
    client = user.client
    assert client is not None
    touched: list[str] = []
    for cls, name in ((Visibility, "set_visibility"), (TextElement, "set_text"), (DisableableElement, "set_enabled"),
                      (Classes, "__call__"), (Props, "update")):  # fmt: skip
        original = getattr(cls, name)

        def counting(self: Any, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            touched.append(f"{type(self).__name__}.{_name}{args}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, counting)
    sent: list[str] = []
    monkeypatch.setattr(client, "run_javascript", lambda code, **_kwargs: sent.append(code))
    updates: list[int] = []
    enqueue = client.outbox.enqueue_update
    monkeypatch.setattr(client.outbox, "enqueue_update", lambda element: (updates.append(element.id),
                                                                          enqueue(element))[-1])  # fmt: skip

    await env.insert("20")
    await eventually(lambda: label_text(user, "pay-credit") == "$30.00")
    assert label_text(user, "pay-remaining") == "$5.50"
    assert touched == []
    assert updates == []
    assert len(sent) == 1 and "kioskLive" in sent[0] and 'kioskSound("coin")' in sent[0], sent
