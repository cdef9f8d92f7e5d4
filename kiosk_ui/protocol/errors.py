"""The one error the protocol layer raises for anything malformed."""


class ProtocolError(ValueError):
    """A frame or value that does not follow PROTOCOL.md.

    ``raw`` keeps (a bounded prefix of) the offending text so the caller can log it once.
    """

    def __init__(self, reason: str, raw: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw[:2000]
