"""Scripts: browser calls made together leave as one message, in order; alone, each leaves at once."""

from __future__ import annotations

from typing import Any, cast

import pytest

from kiosk_ui.ui.components.scripts import Scripts


class FakeClient:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def run_javascript(self, code: str) -> None:
        self.sent.append(code)


def scripts() -> tuple[Scripts, FakeClient]:
    client = FakeClient()
    return Scripts(cast(Any, client)), client


def test_a_call_outside_a_batch_leaves_at_once() -> None:
    batch, client = scripts()
    batch.run("a()")
    assert client.sent == ["a()"]


def test_calls_in_a_batch_leave_as_one_message_in_order_each_guarded() -> None:
    batch, client = scripts()
    with batch.batched():
        batch.run("live()")
        with batch.batched():  # nested: only the outermost sends
            batch.run("sound()")
        assert client.sent == []
    assert len(client.sent) == 1
    code = client.sent[0]
    assert code.index("live()") < code.index("sound()")
    assert code.count("try {") == 2  # one failing call does not stop the next


def test_a_batch_of_one_is_sent_as_is_and_an_empty_batch_sends_nothing() -> None:
    batch, client = scripts()
    with batch.batched():
        pass
    with batch.batched():
        batch.run("only()")
    assert client.sent == ["only()"]


def test_what_was_collected_still_leaves_when_the_render_fails() -> None:
    batch, client = scripts()
    with pytest.raises(RuntimeError), batch.batched():
        batch.run("live()")
        raise RuntimeError("render failed")
    assert client.sent == ["live()"]
    batch.run("next()")  # the batch is over
    assert client.sent == ["live()", "next()"]
