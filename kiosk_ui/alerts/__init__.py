"""Alerts for a single shop: pure rules (:mod:`.rules`) and a thin webhook sender (:mod:`.service`)."""

from .rules import ALERT_KEYS, TITLES, AlertBook, Decision, Evaluation, Snapshot, evaluate, title
from .service import AlertRecord, AlertService, render

__all__ = ["ALERT_KEYS", "TITLES", "AlertBook", "AlertRecord", "AlertService", "Decision", "Evaluation",
           "Snapshot", "evaluate", "render", "title"]  # fmt: skip
