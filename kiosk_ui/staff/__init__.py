"""The staff side of the kiosk, outside the UI: NIP lockout, NIP check, sessions, actions, catalog, audit.

- :mod:`.lockout`: the pure lockout rules and their file (``kiosk-ui unlock`` clears it);
- :mod:`.nip`: the one NIP check in flight;
- :mod:`.sessions`: logged-in staff sessions;
- :mod:`.actions`: the action table and running an action;
- :mod:`.catalog`: product requests, images and quick picks;
- :mod:`.service`: :class:`StaffService`, which ties them and writes the audit trail.
"""

from .lockout import KIOSK, KIOSK_LOCK_FRACTION, Lockout, LockoutRules, clear_lockout
from .nip import NipChecker, NipOutcome, NipResult
from .service import Caller, StaffService
from .sessions import Session, Sessions

__all__ = ["KIOSK", "KIOSK_LOCK_FRACTION", "Caller", "Lockout", "LockoutRules", "NipChecker", "NipOutcome",
           "NipResult", "Session", "Sessions", "StaffService", "clear_lockout"]  # fmt: skip
