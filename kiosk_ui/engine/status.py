"""The engine connection's state, as the client reports it (a leaf: imports nothing of kiosk_ui)."""

from typing import Literal

ConnectionStatus = Literal["connecting", "connected", "disconnected"]
