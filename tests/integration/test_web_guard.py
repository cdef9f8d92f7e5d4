"""Issue 22 items 4 and 7, in process: Host allowlist, no framing, same-origin sockets, page builds per
address, pages of browsers that never connect, one upload route, the export link bound to the session.
(The same guards from a real LAN peer: tests/integration/test_lan.py.)"""

from __future__ import annotations

import gc
import time
import weakref
from types import SimpleNamespace
from typing import Any

import httpx
from nicegui import Client, core

from kiosk_ui.app import prune_unconnected
from kiosk_ui.journal import Filter
from kiosk_ui.staff.service import Caller
from kiosk_ui.ui.pages.admin import AdminArea
from kiosk_ui.web_guard import PageBudget, host_name

from ..helpers import Env, logged_in

LAN = "192.168.50.23"


def http(client: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(core.app, client=(client, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://kiosk.local:8081")


async def get(path: str, *, host: str, client: str = "127.0.0.1", **headers: str) -> httpx.Response:
    async with http(client) as session:
        return await session.get(path, headers={"host": host, **headers})


async def test_host_allowlist_refuses_a_rebound_name(env: Env) -> None:
    for host in ("localhost:8081", "127.0.0.1:8081", "[::1]:8081", "kiosk.local:8081"):  # the last: the address
        # the connection arrived on (the ASGI scope's server), as a LAN address of the machine would be
        response = await get("/admin", host=host)
        assert response.status_code == 200, host
    for host in ("attacker.example:8081", "kiosk.attacker.example", "", "127.0.0.1.nip.io", "test"):
        response = await get("/admin", host=host)
        assert response.status_code == 421, host
        assert "nip-input" not in response.text


async def test_no_page_may_be_framed(env: Env) -> None:
    for path in ("/admin", "/", "/health", "/kiosk-static/kiosk.css"):
        response = await get(path, host="localhost:8081")
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'", path
        assert response.headers["x-frame-options"] == "DENY", path


async def test_socketio_only_from_the_apps_own_origin(env: Env) -> None:
    path = "/_nicegui_ws/socket.io/?EIO=4&transport=polling"
    evil = await get(path, host="localhost:8081", origin="http://evil.example")
    assert evil.status_code == 403
    null = await get(path, host="localhost:8081", origin="null")
    assert null.status_code == 403
    own = await get(path, host="localhost:8081", origin="http://localhost:8081")
    assert own.status_code == 200


async def test_page_builds_per_lan_address_are_capped_loopback_never(env: Env) -> None:
    statuses = [(await get("/admin", host="kiosk.local:8081", client=LAN)).status_code for _ in range(60)]
    assert statuses.count(200) == PageBudget().per_window and set(statuses[PageBudget().per_window :]) == {429}
    other = await get("/admin", host="kiosk.local:8081", client="192.168.50.24")
    assert other.status_code == 200  # another address has its own budget
    own = [(await get("/admin", host="localhost:8081")).status_code for _ in range(40)]
    assert set(own) == {200}


def test_page_budget_window_slides() -> None:
    now = [0.0]
    budget = PageBudget(window=10, per_window=2, clock=lambda: now[0])
    assert budget.may_build("a") and budget.may_build("a") and not budget.may_build("a")
    now[0] = 10.5
    assert budget.may_build("a")


def test_host_name_forms() -> None:
    assert host_name("LocalHost:8081") == "localhost"
    assert host_name("[::1]:8081") == "::1"
    assert host_name("http://10.0.0.5:8081") == "10.0.0.5"
    assert host_name("kiosk") == "kiosk"


def test_pages_of_lan_browsers_that_never_connect_are_dropped() -> None:
    made: list[Any] = []

    class Fake(SimpleNamespace):
        def delete(self) -> None:
            made.remove(self)
            Client.instances.pop(self.id)

    def fake(ip: str, age: float, connected: bool = False) -> Any:
        client = Fake(id=f"fake-{len(made)}-{ip}", has_socket_connection=connected, _delete_tasks={},
                      created=time.time() - age, _request=object(), ip=ip)  # fmt: skip
        made.append(client)
        Client.instances[client.id] = client  # type: ignore[assignment]
        return client

    lan_old, lan_new, lan_live, own_old = fake(LAN, 20), fake(LAN, 1), fake(LAN, 20, True), fake("127.0.0.1", 20)
    try:
        assert prune_unconnected(age=8) >= 1  # (pages other tests left behind may go too)
        assert made == [lan_new, lan_live, own_old]  # loopback keeps NiceGUI's own 60 s
    finally:
        for client in list(made):
            Client.instances.pop(client.id, None)
    assert lan_old not in made


async def test_staff_pages_register_no_upload_route_of_their_own(env: Env) -> None:
    before = len(core.app.routes)
    user = await logged_in(env)
    user.find(marker="product-new").click()
    await user.should_see(marker="product-image")
    assert not [r for r in core.app.routes if "/upload/" in getattr(r, "path", "")]
    assert len(core.app.routes) == before


async def test_closed_staff_pages_are_not_kept(env: Env) -> None:
    """A staff page that showed the catalog form is gone once its client is deleted (with ui.upload's own
    route, every one of them stayed: FastAPI keeps the route's dependencies, and they the page)."""
    earlier = [o for o in gc.get_objects() if isinstance(o, AdminArea)]  # other tests' pages, still open
    pages: weakref.WeakSet[AdminArea] = weakref.WeakSet()
    for _ in range(5):
        user = await logged_in(env)
        user.find(marker="product-new").click()
        await user.should_see(marker="product-image")
        pages.update(o for o in gc.get_objects() if isinstance(o, AdminArea) and o not in earlier)
        user.client.delete()
    del user
    gc.collect()
    assert len(pages) <= 1  # the test harness holds on to the last client it drove; with ui.upload: all 5


async def test_export_link_dies_at_logout(env: Env) -> None:
    await logged_in(env)
    staff = env.kapp.staff
    sid = next(iter(staff.sessions._sessions))
    caller = Caller(sid, "127.0.0.1")
    token = await staff.start_export(caller, Filter())
    async with http() as session:
        alive = await session.get(f"/admin/journal-export/{token}", headers={"host": "localhost:8081"})
    assert alive.status_code == 200
    token = await staff.start_export(caller, Filter())
    staff.sessions.logout(sid)
    async with http() as session:
        dead = await session.get(f"/admin/journal-export/{token}", headers={"host": "localhost:8081"})
    assert dead.status_code == 404
