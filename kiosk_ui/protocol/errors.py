"""The one error the protocol layer raises for anything malformed."""

from ..errors import ProtocolError  # the whole tree lives in kiosk_ui.errors (a leaf module)

__all__ = ["ProtocolError"]
