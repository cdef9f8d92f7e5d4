"""The only code that opens the engine WebSocket."""

from .client import Backoff, EngineClient, EngineTimeout, EngineUnavailable

__all__ = ["Backoff", "EngineClient", "EngineTimeout", "EngineUnavailable"]
