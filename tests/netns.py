"""A LAN of the test's own: a network namespace joined to this machine by a veth pair (issue 22, item 8).

The app listens on the host side's address; a client (Python, httpx, Chromium) runs inside the namespace
and reaches it from the other end of a private /30 that exists only inside this machine: a real
non-loopback TCP peer, without this machine's own network address and without a packet leaving it.
Needs root and ``ip`` (iproute2); where the namespace cannot be made the tests that need it are skipped.
Everything made is removed in a ``finally``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Lan:
    name: str
    #: the app's side (this machine's end of the veth pair)
    host: str
    #: the client's side, inside the namespace
    peer: str

    def command(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *args]

    def python(self, code: str, *args: str, timeout: float = 120) -> Any:
        """Run ``code`` with this interpreter inside the namespace; it prints one JSON value, returned."""
        done = subprocess.run(self.command(sys.executable, "-c", code, *args), capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"in namespace {self.name}: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        """One GET from inside the namespace: status, headers (lower-case names), body text."""
        code = (
            "import json, sys, httpx\n"
            "r = httpx.get(sys.argv[1], headers=json.loads(sys.argv[2]), timeout=10)\n"
            "print(json.dumps([r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.text]))\n"
        )
        status, got, text = self.python(code, url, json.dumps(headers or {}))
        return int(status), got, text

    @contextmanager
    def chromium(self, chromium: str) -> Iterator[str]:
        """An executable that starts ``chromium`` inside the namespace (Playwright's ``executable_path``:
        it talks to the browser over pipes, so the browser's network is the namespace's)."""
        folder = Path(tempfile.mkdtemp(prefix="lan-chromium-"))
        wrapper = folder / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {chromium} "$@"\n', encoding="utf-8")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        try:
            yield str(wrapper)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@contextmanager
def lan_namespace() -> Iterator[Lan]:
    """Make the namespace and the veth pair, yield the addresses, and remove both whatever happens."""
    if sys.platform != "linux" or shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("a network namespace needs Linux, iproute2 and root")
    tag = f"{os.getpid() % 100000}"
    name, host_if, peer_if = f"kui-lan-{tag}", f"kuih{tag}", f"kuin{tag}"
    # a /30 of 10.213.0.0/16 per process: two test runs at once do not share one
    block = (os.getpid() % 16000) * 4
    host, peer = f"10.213.{block // 256}.{block % 256 + 1}", f"10.213.{block // 256}.{block % 256 + 2}"
    made: list[str] = []
    try:
        try:
            _ip("netns", "add", name)
            made.append("netns")
            _ip("link", "add", host_if, "type", "veth", "peer", "name", peer_if)
            made.append("link")
            _ip("link", "set", peer_if, "netns", name)
            _ip("addr", "add", f"{host}/30", "dev", host_if)
            _ip("link", "set", host_if, "up")
            _ip("netns", "exec", name, "ip", "addr", "add", f"{peer}/30", "dev", peer_if)
            _ip("netns", "exec", name, "ip", "link", "set", peer_if, "up")
            _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        except (subprocess.CalledProcessError, OSError) as exc:
            pytest.skip(f"cannot make a network namespace here: {getattr(exc, 'stderr', b'') or exc}")
        yield Lan(name, host, peer)
    finally:
        if "link" in made:
            subprocess.run(["ip", "link", "del", host_if], capture_output=True, timeout=10, check=False)
        if "netns" in made:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10, check=False)
