"""One typed message class per row of docs/protocol.md, both directions.

Each class declares its default wire command and a field spec: (attribute, wire key,
parse, format). Incoming (engine → app) fields are optional: ``None`` means the engine
did not send it, and the reducer keeps what it knew. Outgoing fields are required.

Split by concern: :mod:`.fields` (the base and helpers), :mod:`.outgoing`, :mod:`.incoming`; this
module gathers them, lists them by direction, and counts the fields it could not read (the codec reads each
incoming field on its own: an unreadable one is named in the message's ``unreadable``, the rest is used).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter

from .fields import Message
from .incoming import *  # noqa: F403
from .incoming import (
    Access,
    BvResetFinish,
    CashCollectFinish,
    CheckBrResult,
    NewProductCode,
    NewProductSaved,
    ProductDeleted,
    ProductInfo,
    ReportReady,
    ScreenSettings,
    SearchResults,
    Sockets,
    Status,
    UpdateCredit,
)  # fmt: skip
from .outgoing import *  # noqa: F403
from .outgoing import (
    Arqueo,
    BvReset,
    Cancel,
    CashCollect,
    CashRefill,
    CheckBr,
    CheckNip,
    DeleteProduct,
    GetNewProductCode,
    GetProduct,
    GetScreenSettings,
    GetStatus,
    OpenDoor,
    PayCash,
    PayCreditCard,
    Report,
    ResetBalance,
    SaveProduct,
    SaveScreenSettings,
    SearchProduct,
    Shutdown,
)  # fmt: skip

log = logging.getLogger(__name__)

OUTGOING_TYPES: tuple[type[Message], ...] = (
    PayCash, PayCreditCard, Cancel, OpenDoor, CashRefill, CashCollect, ResetBalance, Shutdown,
    CheckNip, GetStatus, Arqueo, BvReset, CheckBr, Report, GetScreenSettings, SaveScreenSettings,
    GetProduct, SearchProduct, GetNewProductCode, SaveProduct, DeleteProduct,
)  # fmt: skip
INCOMING_TYPES: tuple[type[Message], ...] = (
    Access, Status, Sockets, UpdateCredit, ProductInfo, SearchResults, NewProductCode, NewProductSaved,
    ProductDeleted, BvResetFinish, CashCollectFinish, ReportReady, CheckBrResult, ScreenSettings,
)  # fmt: skip

#: Outgoing commands whose exact fields the vendor manual documents (Paso 2).
DOCUMENTED_OUTGOING: tuple[type[Message], ...] = (
    PayCash, PayCreditCard, Cancel, OpenDoor, CashRefill, CashCollect, ResetBalance, Shutdown,
)  # fmt: skip


# --------------------------------------------------------------------------- tolerant decoding
#: Incoming fields dropped because their shape was unexpected, by "comando.key" (the rest of each
#: frame was used). A frame is only dropped whole when it is not JSON or has no ``comando``.
DROPPED_FIELDS: Counter[str] = Counter()
_dropped_lock = threading.Lock()


#: Keys read although they differ from the documented ones only in letter case, by "comando.key".
CASE_VARIANT_KEYS: Counter[str] = Counter()


def _count(counter: Counter[str], name: str) -> bool:
    """Count ``name`` (the codec may run on several threads); whether this was its first time."""
    with _dropped_lock:
        counter[name] += 1
        return counter[name] == 1


def note_dropped(command: str, key: str, exc: Exception) -> None:
    """Count a field that was sent but could not be read; log the first one of each field."""
    name = f"{command}.{key}"
    if _count(DROPPED_FIELDS, name):
        log.warning("unreadable field %s (%s); the rest of the frame is used", name, exc)


def note_case_variant(command: str, wire_key: str, key: str) -> None:
    """Count a key read in another letter case (``credit`` for ``Credit``); log the first one of each."""
    name = f"{command}.{wire_key}"
    if _count(CASE_VARIANT_KEYS, name):
        log.warning("engine key %s read as %r (letter case differs from the documented one)", name, key)


def case_variant_keys() -> dict[str, int]:
    with _dropped_lock:
        return dict(CASE_VARIANT_KEYS)


def dropped_fields() -> dict[str, int]:
    with _dropped_lock:
        return dict(DROPPED_FIELDS)
