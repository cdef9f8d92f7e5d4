"""Sans-I/O Quickpaymini protocol: typed messages, value rules, decode/encode.

Imports nothing that does I/O: shared by the engine client and the simulator.
"""

from .codec import DEFAULT_CODEC, MAX_FRAME_CHARS, Codec, decode, encode
from .errors import ProtocolError
from .messages import *  # noqa: F403
from .messages import DOCUMENTED_OUTGOING, INCOMING_TYPES, OUTGOING_TYPES, Message, Product
from .values import ChangeLevel, Levels, format_amount, js_date, parse_amount, parse_bool

__all__ = [
    "DEFAULT_CODEC", "DOCUMENTED_OUTGOING", "INCOMING_TYPES", "MAX_FRAME_CHARS", "OUTGOING_TYPES",
    "ChangeLevel", "Codec", "Levels", "Message", "Product", "ProtocolError", "decode", "encode",
    "format_amount", "js_date", "parse_amount", "parse_bool",
]  # fmt: skip
