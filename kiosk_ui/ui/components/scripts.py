"""One browser tab's script calls, sent as one message when they happen together.

Each ``client.run_javascript`` is its own socket.io message that the browser parses and compiles. A coin
made two of them per screen (the live figures, then the coin sound); with ten screens open that was
twenty messages per coin. Inside :meth:`Scripts.batched` the calls are collected and leave as one
message, in the order they were made, when the outermost batch ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import Client


class Scripts:
    def __init__(self, client: Client) -> None:
        self.client = client
        self._parts: list[str] | None = None

    def run(self, code: str) -> None:
        """Run ``code`` in the tab: now, or with the rest of the batch being collected."""
        if self._parts is None:
            self.client.run_javascript(code)
        else:
            self._parts.append(code)

    @contextmanager
    def batched(self) -> Iterator[None]:
        if self._parts is not None:
            yield  # nested: the outermost batch sends
            return
        self._parts = []
        try:
            yield
        finally:
            parts, self._parts = self._parts, None
            if parts:
                # each part is its own statement; one failing does not stop the ones after it
                self.client.run_javascript("\n".join(f"try {{ {part} }} catch (e) {{ console.error(e); }}"
                                                     for part in parts) if len(parts) > 1 else parts[0])  # fmt: skip
