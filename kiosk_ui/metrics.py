"""``/metrics``: the kiosk in Prometheus exposition format, from ``prometheus-client``.

One private :class:`CollectorRegistry` per app. Most figures are read from the live objects
at scrape time by a custom collector (nothing polls); payments are counted as their results
are published (:meth:`Kiosk.on_result`). Every series carries the ``kiosk`` label
(config ``[kiosk] id``) so a fleet's series stay apart even behind one Prometheus job.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from . import __version__
from .journal import Journal, JournalError
from .protocol.messages import case_variant_keys, dropped_fields
from .tasks import spawn

#: at most this many series per engine-field metric (field names come from the engine)
MAX_FIELD_SERIES = 50

if TYPE_CHECKING:
    from .alerts import AlertService
    from .engine import EngineClient
    from .kiosk import Kiosk, PaymentResult
    from .payments.readings import ReadingLearner
    from .staff import Lockout
    from .watchdog import ScreenWatch

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 300.0, 600.0)
CONNECTION_STATES = ("connecting", "connected", "disconnected")


@dataclass
class JournalCounts:
    owed_amount: Decimal = Decimal(0)
    owed_payments: int = 0
    to_review: int = 0
    nip_failures: int = 0
    nip_lockouts: int = 0
    ok: bool = False


def read_journal(journal: Journal) -> JournalCounts:
    """Blocking: change owed, payments to review, NIP failures and lockouts (staff audit rows)."""
    owed = journal.owed()
    counts = JournalCounts(
        sum((Decimal(r["shortfall"]) for r in owed), Decimal(0)), len(owed), len(journal.to_review())
    )
    for row in journal._read(  # the staff area's audit rows: login/failed and lockout/locked
        "SELECT action, COUNT(*) AS n FROM staff_actions WHERE (action = 'login' AND result LIKE 'failed%')"
        " OR action = 'lockout' GROUP BY action"
    ):
        if row["action"] == "login":
            counts.nip_failures = int(row["n"])
        else:
            counts.nip_lockouts = int(row["n"])
    counts.ok = True
    return counts


@dataclass
class Sources:
    """What the collector reads; optional parts are wired in as the app builds them."""

    kiosk_id: str
    kiosk: Kiosk
    client: EngineClient
    journal: Journal
    started: float = field(default_factory=time.time)
    watch: ScreenWatch | None = None
    alerts: AlertService | None = None
    lockout: Callable[[], Lockout | None] = lambda: None
    #: the payment service's reading learner, once wired (``[protocol] engine_reading``)
    readings: Callable[[], ReadingLearner | None] = lambda: None


class KioskCollector(Collector):
    def __init__(self, sources: Sources) -> None:
        self.s = sources
        self.journal_counts = JournalCounts()

    def _gauge(self, name: str, doc: str, value: float | None = None, **labels: str) -> GaugeMetricFamily:
        family = GaugeMetricFamily(name, doc, labels=["kiosk", *labels])
        if value is not None:
            family.add_metric([self.s.kiosk_id, *labels.values()], value)
        return family

    def _link_metrics(self) -> Iterator[Metric]:
        """Helper "link": fields sent but unreadable, keys read in another letter case, engine silence."""
        kid = self.s.kiosk_id
        for name, doc, counts in (
            ("kiosk_engine_unreadable_fields", "engine fields sent but not readable, by comando.key", dropped_fields()),
            ("kiosk_engine_case_variant_keys", "engine keys read in another letter case", case_variant_keys()),
        ):
            family = CounterMetricFamily(name, doc, labels=["kiosk", "field"])
            for key, count in sorted(counts.items())[:MAX_FIELD_SERIES]:
                family.add_metric([kid, key[:60]], count)
            yield family
        yield self._gauge("kiosk_engine_silent_in_payment", "1 while the engine has been silent during a payment "
                          "longer than [engine] silent_alert", float(self.s.client.silent_in_payment))  # fmt: skip

    def collect(self) -> Iterator[Metric]:
        s, kid = self.s, self.s.kiosk_id
        state = s.kiosk.state
        info = GaugeMetricFamily("kiosk_ui_info", "kiosk-ui version (always 1)", labels=["kiosk", "version"])
        info.add_metric([kid, __version__], 1)
        yield info
        yield self._gauge("kiosk_ui_start_time_seconds", "when this app process started (Unix time)", s.started)

        yield self._gauge("kiosk_engine_connected", "1 while the engine WebSocket is connected", float(state.online))
        link = GaugeMetricFamily("kiosk_engine_state", "engine link state (one-hot)", labels=["kiosk", "state"])
        for name in CONNECTION_STATES:
            link.add_metric([kid, name], float(s.client.status == name))
        yield link
        connects = CounterMetricFamily("kiosk_engine_connects", "engine connections opened", labels=["kiosk"])
        connects.add_metric([kid], s.client.connects)
        yield connects
        reconnects = CounterMetricFamily("kiosk_engine_reconnects", "engine connections after the first",
                                         labels=["kiosk"])  # fmt: skip
        reconnects.add_metric([kid], max(0, s.client.connects - 1))
        yield reconnects
        bad = CounterMetricFamily("kiosk_engine_bad_frames", "frames from the engine dropped, by kind",
                                  labels=["kiosk", "kind"])  # fmt: skip
        for kind, count in sorted(dict(s.client.bad_frame_kinds).items()):
            bad.add_metric([kid, kind], count)
        yield bad
        yield from self._link_metrics()
        yield self._gauge("kiosk_engine_charging", "1 while the engine says it is charging", float(state.charging))

        errors = GaugeMetricFamily("kiosk_device_error", "1 while the device reports an error",
                                   labels=["kiosk", "device"])  # fmt: skip
        errors.add_metric([kid, "bill_validator"], float(bool(state.bv_error)))
        errors.add_metric([kid, "coin_mechanism"], float(bool(state.ca_error)))
        yield errors
        for name, doc, levels in (
            ("kiosk_coin_tube_coins", "coins in each change tube, by denomination", state.tubes),
            ("kiosk_cash_inventory_count", "pieces counted by the last arqueo, by denomination", state.inventory),
            ("kiosk_recycler_bills", "bills in the recycler, by denomination", state.recycler_levels),
        ):
            family = GaugeMetricFamily(name, doc, labels=["kiosk", "denomination"])
            for denomination, count in levels:
                family.add_metric([kid, str(denomination)], count)
            yield family
        amounts = GaugeMetricFamily("kiosk_cashbox_amount_pesos", "money in each cashbox", labels=["kiosk", "box"])
        counts = GaugeMetricFamily("kiosk_cashbox_count", "pieces in each cashbox", labels=["kiosk", "box"])
        for box, money, qty in (("coin", state.coin_cashbox_amount, state.coin_cashbox_qty),
                                ("bill", state.bills_cashbox_amount, state.bills_cashbox_qty)):  # fmt: skip
            if money is not None:
                amounts.add_metric([kid, box], float(money))
            if qty is not None:
                counts.add_metric([kid, box], qty)
        yield amounts
        yield counts

        j = self.journal_counts
        if j.ok:
            yield self._gauge(
                "kiosk_change_owed_pesos", "change owed to customers, not yet settled", float(j.owed_amount)
            )
            yield self._gauge(
                "kiosk_change_owed_payments", "payments with change owed, not yet settled", j.owed_payments
            )
            yield self._gauge("kiosk_payments_to_review", "payments left unknown, for staff to check", j.to_review)
            for name, doc, total in (("kiosk_nip_failures", "wrong staff NIPs (journal)", j.nip_failures),
                                     ("kiosk_nip_lockouts", "NIP lockouts (journal)", j.nip_lockouts)):  # fmt: skip
                nip = CounterMetricFamily(name, doc, labels=["kiosk"])
                nip.add_metric([kid], total)
                yield nip
        lockout = s.lockout()
        if lockout is not None:
            locked = lockout.locked_now()
            yield self._gauge("kiosk_nip_locked", "addresses (or '*' the whole kiosk) locked out now", locked)
        yield self._gauge("kiosk_journal_writable", "0 while the journal cannot be written",
                          float(not s.kiosk.journal_error))  # fmt: skip
        if s.watch is not None:
            yield self._gauge("kiosk_customer_screen_connected", "1 while the kiosk's own screen is connected",
                              float(s.watch.connected))  # fmt: skip
            yield self._gauge("kiosk_customer_screen_missing_seconds", "seconds without the kiosk's own screen",
                              round(s.watch.missing_seconds(), 1))  # fmt: skip
        learner = s.readings()
        if learner is not None:
            yield from reading_families(kid, learner)
        if s.alerts is not None:
            active = GaugeMetricFamily("kiosk_alert_active", "1 while the alert holds", labels=["kiosk", "alert"])
            holding = s.alerts.holding()
            from .alerts import ALERT_KEYS

            for key in ALERT_KEYS:
                active.add_metric([kid, key], float(key in holding))
            yield active


def reading_families(kid: str, learner: ReadingLearner) -> Iterator[Metric]:
    """Which readings of the end-of-sale fields the engine still matches, and the endings none explained."""
    match = GaugeMetricFamily("kiosk_engine_reading_match", "1 for each reading the engine's sales still fit",
                              labels=["kiosk", "reading"])  # fmt: skip
    for reading in learner.candidates():
        match.add_metric([kid, reading.name], 1)
    yield match
    for name, doc, value in (("kiosk_engine_reading_endings", "sale endings the reading learner saw", learner.seen),
                             ("kiosk_engine_reading_unexplained", "sale endings no reading explained",
                              learner.unexplained)):  # fmt: skip
        counter = CounterMetricFamily(name, doc, labels=["kiosk"])
        counter.add_metric([kid], value)
        yield counter


class KioskMetrics:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = KioskCollector(sources)
        self.registry.register(self.collector)
        kid = sources.kiosk_id
        self._kid = kid
        self.payments = Counter("kiosk_payments", "payments ended, by method and outcome",
                                ["kiosk", "method", "outcome"], registry=self.registry)  # fmt: skip
        self.amounts = Counter("kiosk_payment_amount_pesos", "amounts due of ended payments, by method and outcome",
                               ["kiosk", "method", "outcome"], registry=self.registry)  # fmt: skip
        self.duration = Histogram("kiosk_payment_duration_seconds", "request to outcome, by method and outcome",
                                  ["kiosk", "method", "outcome"], buckets=DURATION_BUCKETS,
                                  registry=self.registry)  # fmt: skip
        sources.kiosk.on_result(self.on_result)

    def on_result(self, result: PaymentResult) -> None:
        labels = (self._kid, result.method, result.outcome)
        self.payments.labels(*labels).inc()
        self.amounts.labels(*labels).inc(float(result.due))
        spawn(self._observe_duration(result), name="metrics-duration")

    async def _observe_duration(self, result: PaymentResult) -> None:
        try:
            row = await asyncio.to_thread(self.sources.journal.payment, result.id)
        except JournalError:
            return
        if row is None or not result.at:
            return
        seconds = (_parse(result.at) - _parse(row["created_at"])).total_seconds()
        if seconds >= 0:
            self.duration.labels(self._kid, result.method, result.outcome).observe(seconds)

    async def render(self) -> bytes:
        """The exposition text; the journal figures are read off the event loop first."""
        try:
            self.collector.journal_counts = await asyncio.to_thread(read_journal, self.sources.journal)
        except JournalError as exc:
            log.warning("metrics: journal not read: %s", exc)
            self.collector.journal_counts = JournalCounts()
        return generate_latest(self.registry)


def _parse(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def metric_value(families: Any, name: str, **labels: str) -> float | None:
    """Test and tooling helper: one sample's value from parsed families (None if absent)."""
    for family in families:
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None
