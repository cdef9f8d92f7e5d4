"""What the customer screen's mixins (:mod:`.intents`, :mod:`.unanswered`, :mod:`.stale`) call on the shell,
declared once: the screen's phases, and the two methods :class:`~.shell.CustomerScreen` implements."""

from __future__ import annotations

from typing import Literal

Phase = Literal["idle", "sale", "payment", "result"]


class ShellHooks:
    """Base of the customer screen's mixins: the shell's methods they call (the shell overrides both)."""

    def _go(self, phase: Phase) -> None:
        raise NotImplementedError("CustomerScreen._go")

    def render(self) -> None:
        raise NotImplementedError("CustomerScreen.render")
