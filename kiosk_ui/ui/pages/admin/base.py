"""What every staff component shares: the translator, the ``staff_only`` guard, section and figure helpers."""

from __future__ import annotations

import functools
import html
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Protocol, TypeVar, cast

from nicegui import ui

from ....staff import Caller, StaffService
from ...i18n import money, status_text, t
from ...theme import attrs, tid


class StaffText:
    """The staff area's translator (es-MX as written, or its English twin); see staff.actions.Say."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, text: str, /, **values: object) -> str:
        return t(text, self.lang, **values)

    def money(self, amount: Decimal | None) -> str:
        return money(amount)

    def plural(self, count: int, one: str, many: str, **values: object) -> str:
        """``one`` (es-MX, "{count} venta") for exactly one, else ``many`` ("{count} ventas"), translated."""
        return t(one if count == 1 else many, self.lang, count=count, **values)

    def status(self, text: str) -> str:
        return status_text(text, self.lang)


class Access:
    """The server-side session check every staff handler passes first (see :func:`staff_only`)."""

    def __init__(self, service: StaffService, caller: Callable[[], Caller]) -> None:
        self.service = service
        self._caller = caller

    @property
    def caller(self) -> Caller:
        return self._caller()

    @property
    def token(self) -> str:
        return self.service.token(self.caller)

    def allowed(self) -> bool:
        """True for a live session of this browser's address; else back to the gate, nothing done."""
        if self.service.valid(self.caller):
            return True
        ui.navigate.to("/admin")
        return False


class Guarded(Protocol):
    access: Access


F = TypeVar("F", bound=Callable[..., Any])


def staff_only(handler: F) -> F:
    """Decorate a component's handler: it runs only for a live staff session (checked on the server
    at every call, whoever calls it: a click, a timer, a direct call)."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def guarded_async(self: Guarded, *args: Any, **kwargs: Any) -> Any:
            if not self.access.allowed():
                return None
            return await handler(self, *args, **kwargs)

        return cast(F, guarded_async)

    @functools.wraps(handler)
    def guarded(self: Guarded, *args: Any, **kwargs: Any) -> Any:
        if not self.access.allowed():
            return None
        return handler(self, *args, **kwargs)

    return cast(F, guarded)


@contextmanager
def section(name: str, title: str) -> Iterator[ui.element]:
    """One staff section: a ``<section>`` landmark named by its ``<h2>``, the target of its nav link."""
    element = ui.element("section").classes("admin-section w-full")
    with attrs(element, {"id": f"sec-{name}", "aria-labelledby": f"h-{name}", "tabindex": "-1"}):
        attrs(ui.html(html.escape(title), sanitize=False, tag="h2").classes("admin-h2"), {"id": f"h-{name}"})
        yield element


def heading(text: str, level: int = 3) -> ui.html:
    return ui.html(html.escape(text), sanitize=False, tag=f"h{level}").classes(f"admin-h{level}")


def figure(caption: str, test_id: str) -> ui.label:
    """A caption and its live value; the value is found by the page through ``data-live``, not its test id."""
    with ui.column().classes("admin-figure gap-0"):
        ui.label(caption).classes("admin-caption")
        return tid(attrs(ui.label("—").classes("admin-value"), {"data-live": test_id}), test_id)
