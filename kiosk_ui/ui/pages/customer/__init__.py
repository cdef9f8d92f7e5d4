"""The customer screen (``/``), one concern per module:

- :mod:`.shell`: the screen per browser tab: phases, engine events, payment and cancel intents;
- :mod:`.chrome`: top bar (brand, progress, accessibility/voice/language switches);
- :mod:`.idle`, :mod:`.sale`, :mod:`.payment`, :mod:`.result`, :mod:`.dialogs`: the views;
- :mod:`.selling` and :mod:`.cart`: the sale being keyed in; :mod:`.scan`: product lookups;
- :mod:`.texts` and :mod:`.guidance`: words, sounds and speech.
"""

from __future__ import annotations

from nicegui import Client, ui

from ....config import Config
from ....kiosk import Kiosk
from ....last_result import LastResult
from ....quick_picks import FILE_NAME, QuickPicks
from ...components.brand import serve_logo, serve_slot_photos
from .cart import CartItem
from .scan import ScanRouter
from .shell import CallStaff, CustomerScreen

__all__ = ["CartItem", "CustomerScreen", "ScanRouter", "register"]


def register(kiosk: Kiosk, config: Config, picks: QuickPicks | None = None, *,
             call_staff: CallStaff | None = None) -> None:  # fmt: skip
    """The ``/`` page. ``picks``: the products staff pinned (shared with the staff catalog so a pin shows
    at once); None opens the data dir's own list. ``call_staff(key, detail)`` raises a staff alert.

    The last result a screen showed is kept here, once per process: a screen opened or reloaded while it
    is still on shows it (a result no screen showed, a payment recovered at start-up, is not)."""
    scans = ScanRouter(kiosk)
    last = LastResult(config.result_seconds)
    picks = picks if picks is not None else QuickPicks(config.data_dir / FILE_NAME)
    logo_url = serve_logo(config.brand)
    photos = serve_slot_photos(config.brand)

    @ui.page("/", title="Quickpaymini")
    def customer_page(client: Client) -> None:
        CustomerScreen(
            kiosk, config, client, scans, picks, logo_url, last=last, call_staff=call_staff, slot_photos=photos
        ).build()
