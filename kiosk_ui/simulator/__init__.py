"""The engine simulator: a sans-I/O core (:mod:`.core`) and a thin WebSocket server (:mod:`.server`)."""

from .catalog import Catalog
from .core import BILLS, COINS, Faults, Refused, SimEngine

__all__ = ["BILLS", "COINS", "Catalog", "Faults", "Refused", "SimEngine"]
