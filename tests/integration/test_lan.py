"""Issue 22 items 4, 5, 7 and 8 from a real LAN peer: a network namespace of the test's own.

``kiosk-ui run`` listens on all addresses; the LAN client runs inside the namespace (tests/netns.py) and
reaches the app at the host side of a private /30; the kiosk's own screen is loopback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from devtools import AppProcess, ThreadedSim
from kiosk_ui.conn_guard import Limits
from kiosk_ui.web_guard import PageBudget

from ..netns import Lan, lan_namespace

SLOW = """
import json, socket, sys, time
host, port, count, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
socks, refused = [], 0
for _ in range(count):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"GET /admin HTTP/1.1\\r\\nHost: " + host.encode() + b"\\r\\nX-Slow: ")  # headers never end
    socks.append(s)
# a connection refused at the door got a 503 and was closed at once
for s in socks:
    s.settimeout(0.05)
    try:
        if s.recv(64).startswith(b"HTTP/1.1 503"):
            refused += 1
    except OSError:
        pass
held = count - refused
started = time.monotonic()
open_ = set(range(count))
while open_ and time.monotonic() - started < wait:
    for i in list(open_):
        socks[i].settimeout(0.001)
        try:
            if socks[i].recv(4096) == b"":
                open_.discard(i)
        except socket.timeout:
            pass
        except OSError:
            open_.discard(i)
    time.sleep(0.05)
print(json.dumps({"refused": refused, "held": held, "still_open": len(open_),
                  "closed_after": round(time.monotonic() - started, 2)}))
"""


@pytest.fixture(scope="module")
def lan() -> Iterator[Lan]:
    with lan_namespace() as made:
        yield made


@pytest.fixture(scope="module")
def stack(lan: Lan, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ThreadedSim, AppProcess]]:
    sim = ThreadedSim(card_mode="manual")
    app = AppProcess(["run", "--engine", sim.url], tmp_path_factory.mktemp("lan"), host="0.0.0.0")
    try:
        app.wait_connected()
        yield sim, app
    finally:
        app.stop()
        sim.close()


def lan_url(lan: Lan, app: AppProcess, path: str = "/") -> str:
    return f"http://{lan.host}:{app.port}{path}"


def test_the_lan_peer_is_not_loopback(lan: Lan, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _, app = stack
    status, _, text = lan.get(lan_url(lan, app, "/"))
    assert status == 403 and "not-this-screen" in text  # the customer screen is the kiosk's own
    status, _, body = lan.get(lan_url(lan, app, "/health"))
    assert status == 200 and body == '{"engine":"connected"}'
    status, _, _ = lan.get(lan_url(lan, app, "/"), {"X-Forwarded-For": "127.0.0.1"})
    assert status == 403


def test_host_allowlist_and_no_framing_from_the_lan(lan: Lan, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _, app = stack
    status, headers, text = lan.get(lan_url(lan, app, "/admin"))
    assert status == 200 and "nip-input" in text
    assert headers["content-security-policy"] == "frame-ancestors 'none'" and headers["x-frame-options"] == "DENY"
    status, _, text = lan.get(lan_url(lan, app, "/admin"), {"Host": f"rebound.attacker.example:{app.port}"})
    assert status == 421 and "nip-input" not in text
    status, _, _ = lan.get(lan_url(lan, app, "/_nicegui_ws/socket.io/?EIO=4&transport=polling"),
                           {"Origin": "http://rebound.attacker.example"})  # fmt: skip
    assert status == 403


def test_slow_headers_from_one_lan_address_are_cut_and_the_kiosk_is_served(
    lan: Lan, stack: tuple[ThreadedSim, AppProcess]
) -> None:
    _, app = stack
    limits = Limits()
    count = 300
    before = time.monotonic()
    result = lan.python(SLOW, lan.host, str(app.port), str(count), str(limits.header_seconds + 10), timeout=120)
    print(f"\nFIGURE: {count} slow connections from one LAN address: {result}")
    assert result["held"] <= limits.per_address  # the rest got a 503 at once
    assert result["still_open"] == 0  # the held ones were closed at the header deadline
    assert result["closed_after"] <= limits.header_seconds + 3
    # the kiosk's own screen (loopback) was never starved: it answers at once
    started = time.monotonic()
    assert httpx.get(app.base + "/health", timeout=5).status_code == 200
    assert time.monotonic() - started < 1.0
    assert time.monotonic() - before < 60


def test_page_builds_from_one_lan_address_are_capped(lan: Lan, stack: tuple[ThreadedSim, AppProcess]) -> None:
    _, app = stack
    code = (
        "import json, sys, httpx\n"
        "with httpx.Client(timeout=10) as c:\n"
        "    print(json.dumps([c.get(sys.argv[1]).status_code for _ in range(60)]))\n"
    )
    statuses = lan.python(code, lan_url(lan, app, "/admin"))
    assert 429 in statuses and statuses.count(200) <= PageBudget().per_window
    assert httpx.get(app.base + "/admin", timeout=10).status_code == 200  # loopback is never counted
