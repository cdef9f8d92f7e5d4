"""The only code that opens the engine WebSocket."""

from .client import Backoff, CommandRefused, EngineClient, EngineTimeout, EngineUnavailable
from .keepalive import Keepalive

__all__ = ["Backoff", "CommandRefused", "EngineClient", "EngineTimeout", "EngineUnavailable", "Keepalive"]
