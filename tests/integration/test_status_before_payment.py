"""No payment starts before the engine has said where it stands since the last (re)connect (issue 20).

Until its first ``status`` (or ``sockets``) on a new connection, nobody knows whether the engine is already
charging a sale: another client's, or one of ours from before the drop. The customer meanwhile sees the pay
buttons disabled and "Un momento" (``sale-wait``), not an error; the arbiter refuses ``paycash`` too.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk_ui.errors import PaymentRefused
from kiosk_ui.protocol import messages as m

from ..helpers import Env, eventually, open_sale, sent

#: the simulator holds every frame this long: its status after the reconnect stays on its way until released
HELD = 3600.0


def pay_cash_enabled(user: object) -> bool:
    return any(button.enabled for button in user.find(marker="pay-cash").elements)  # type: ignore[attr-defined]


async def test_after_a_reconnect_the_customer_pays_only_once_the_engines_status_has_arrived(env: Env) -> None:
    user = await open_sale(env, "10")
    assert pay_cash_enabled(user)
    kiosk = env.kapp.kiosk
    env.engine.set_fault("slow_replies", HELD)  # the restarted engine is slow to describe itself
    env.engine.power_off(0.5)
    env.kick()
    await eventually(lambda: not kiosk.state.online)
    await eventually(lambda: kiosk.state.online, timeout=10)

    # connected again, no status yet: the customer waits ("un momento"), no error, nothing can start
    assert kiosk.can_pay() == "err_unsynced"
    await user.should_see(marker="sale-wait", retries=30)
    await user.should_see("Un momento, por favor…")
    await user.should_not_see(marker="sale-error")
    assert not pay_cash_enabled(user)
    user.find(marker="pay-cash").click()  # a disabled button: nothing happens
    with pytest.raises(PaymentRefused) as refused:
        await kiosk.start_payment("cash", Decimal("10"))
    assert refused.value.reason == "err_unsynced"
    await user.should_see(marker="screen-sale")

    # the engine's status arrives: the customer can pay
    env.engine.set_fault("slow_replies", 0)  # (a status goes out at once)
    env.kick()
    await user.should_not_see(marker="sale-wait", retries=50)
    await env.caught_up()  # (a round trip: whatever was sent while waiting has reached the engine)
    assert sent(env, m.PayCash) == [], "nothing was asked of the engine before its status"
    assert kiosk.can_pay() == ""
    assert pay_cash_enabled(user)
    user.find(marker="pay-cash").click()
    await user.should_see(marker="screen-payment")
    await eventually(lambda: env.engine.payment is not None)
    await env.insert("10")
    await user.should_see(marker="result-success", retries=30)
    assert [p.due for p in sent(env, m.PayCash)] == [Decimal("10")]  # type: ignore[attr-defined]
    assert [r["outcome"] for r in env.kapp.journal.payments()] == ["completed"]
