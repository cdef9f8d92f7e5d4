"""Every exception kiosk-ui raises, in one tree (in the style of httpx's ``_exceptions.py``).

Catch :class:`KioskError` to catch anything of ours; catch a branch to catch one concern::

    KioskError                      anything raised by kiosk-ui on purpose
    ├── ConfigError                 a bad setting (CLI flag, environment, config file), said in one line
    ├── ProtocolError               a frame or value that does not follow the engine protocol
    ├── EngineError                 talking to the engine did not work out
    │   ├── EngineUnavailable       not connected now: the command was NOT sent
    │   │   └── CommandRefused      a rule refused the command (busy, locked...): it was NOT sent
    │   └── EngineTimeout           sent, but the engine did not answer in time
    ├── JournalError                the journal (SQLite) cannot be written or read
    │   └── JournalDamaged          the journal file is damaged (kept aside at start; ``kiosk-ui restore``)
    ├── PaymentRefused              a payment could not even be asked for (``reason``: RefusalReason)
    └── SimulatorRefused            the engine simulator refuses a connection (off, restarting, fault)

Who raises what, and who should catch it:

- :class:`ConfigError` -- :mod:`kiosk_ui.config` while loading settings. ``cli.py`` catches it, prints
  the one-line message and exits with status 2.
- :class:`ProtocolError` -- :mod:`kiosk_ui.protocol` (decode, encode, value parsers). The engine client
  catches it per frame (logs once, counts, drops the frame); staff forms catch it to refuse bad input.
- :class:`EngineUnavailable` -- :meth:`EngineClient.send` / ``request`` while disconnected. Nothing was
  sent, so nothing can be "sent twice": the caller tells the user the engine is offline.
  :class:`CommandRefused` is a subclass because it means the same for the caller (nothing went out);
  its ``reason`` is the refusal's i18n key / staff text.
- :class:`EngineTimeout` -- :meth:`EngineClient.request` when no matching reply came in time. The
  command WAS sent: the caller must not assume it had no effect.
- Catch :class:`EngineError` for "the engine could not do it now" (unavailable, refused or timed out).
- :class:`JournalError` -- :mod:`kiosk_ui.journal`. The payment service turns it into
  ``PaymentRefused(RefusalReason.JOURNAL)``: no payment starts that cannot be recorded.
- :class:`PaymentRefused` -- :meth:`Kiosk.start_payment`. The customer page shows ``t(exc.reason)``.
- :class:`SimulatorRefused` -- :mod:`kiosk_ui.simulator` only (a development tool).

The standard-library bases are kept (``ValueError``, ``RuntimeError``, ``TimeoutError``) so code that
caught those before still does.

This module imports nothing from kiosk_ui: every layer (even the sans-I/O ``protocol/``) may import it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CommandRefused",
    "ConfigError",
    "EngineError",
    "EngineTimeout",
    "EngineUnavailable",
    "FailureCode",
    "JournalDamaged",
    "JournalError",
    "KioskError",
    "PaymentRefused",
    "ProtocolError",
    "RefusalReason",
    "SimulatorRefused",
]


class KioskError(Exception):
    """The root: anything kiosk-ui raises on purpose."""


class ConfigError(KioskError, ValueError):
    """A bad setting, said in one line."""


class ProtocolError(KioskError, ValueError):
    """A frame or value that does not follow the engine protocol (docs/protocol.md).

    ``raw`` keeps (a bounded prefix of) the offending text so the caller can log it once.
    """

    #: at most this many characters of the offending frame are kept for the log
    RAW_KEEP = 2000

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw[: self.RAW_KEEP]


class EngineError(KioskError):
    """Talking to the engine did not work out; see the subclasses for whether anything was sent."""


class EngineUnavailable(EngineError, RuntimeError):
    """The engine is not connected now; the command was not sent."""


class CommandRefused(EngineUnavailable):
    """A rule refused the command (see :mod:`kiosk_ui.staff_rules`); it was not sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EngineTimeout(EngineError, TimeoutError):
    """The engine did not answer in time (the request itself was sent)."""


class JournalError(KioskError, RuntimeError):
    """The journal cannot be written: no new payment may start."""


class JournalDamaged(JournalError):
    """The journal file is not a sound SQLite database (not a database, malformed, fails its check)."""


class RefusalReason(StrEnum):
    """Why a payment could not start. The values are the customer's i18n keys (``t(reason, lang)``)."""

    AMOUNT = "err_amount"
    OFFLINE = "err_offline"
    JOURNAL = "err_journal"
    BUSY = "err_busy"
    #: connected, but the engine has not said yet (since the last reconnect) whether it is charging a sale
    UNSYNCED = "err_unsynced"
    CARD_UNAVAILABLE = "err_card_unavailable"
    CASH_UNAVAILABLE = "err_cash_unavailable"


class PaymentRefused(KioskError):
    """A payment could not start; ``reason`` says why (its value is an i18n key for the customer)."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(str(reason))
        self.reason = reason


class FailureCode(StrEnum):
    """Why a payment ended as "failed" before any money moved (``PaymentResult.failure``).

    A typed value for screens and services to match on, instead of matching words in ``reason``
    (which is free text for the journal and for staff).
    """

    #: the engine never acknowledged paycash/paycreditcard in time; ``cancel "1"`` went out
    NO_ACK = "no_ack"
    #: the request could not be sent: the engine was not connected
    ENGINE_UNAVAILABLE = "engine_unavailable"


class SimulatorRefused(KioskError):
    """The engine simulator is off, restarting, or a fault refuses connections."""
