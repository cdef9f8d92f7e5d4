"""The staff area's shell: the NIP gate or the home (header, section navigation, sections).

Nothing of the staff area is built for a browser that has not passed the NIP (a hidden NiceGUI
element would still have live handlers), and every handler is ``staff_only`` (the session is
checked on the server again before it acts). The shell holds the page's subscriptions (state,
results, alerts, quick picks, the session's end) and hands the news to its components.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nicegui import Client, app, ui

from ....alerts import AlertRecord, AlertService, title
from ....config import Config
from ....quick_picks import Pick
from ....staff import Caller, StaffService
from ....state import KioskState
from ....tasks import spawn
from ...frame import FrameParts, frame
from ...i18n import t
from ...theme import attrs, tid
from .actions import ActionsView
from .alerts import AlertsView
from .base import Access, StaffText, section
from .catalog import CatalogView
from .gate import Gate
from .health import SAID_BY_STATE
from .journal_view import JournalView, SalesView
from .review import ReviewView
from .screen import ScreenView
from .status import StatusView
from .tablet import tablet_view, wifi_warning

#: the sections, in nav order: (name, es-MX title, icon); each nav link's test id is ``nav-<name>``
SECTIONS = (("status", "Estado", "monitor_heart"), ("actions", "Acciones", "touch_app"),
            ("review", "Por revisar", "fact_check"), ("screen", "Pantalla", "tv"),
            ("catalog", "Catálogo", "inventory_2"), ("journal", "Ventas y bitácora", "bar_chart"),
            ("tablet", "Tableta", "tablet_mac"))  # fmt: skip


class AdminArea:
    def __init__(self, config: Config, service: StaffService, alerts: AlertService | None, client: Client) -> None:
        self.config = config
        self.service = service
        self.alerts = alerts
        self.client = client
        #: the staff session id made at login (bound to this address), not the browser id
        self.sid: str = str(app.storage.user.get("staff_sid", ""))
        self.lang: str = str(app.storage.user.get("staff_lang", config.language))
        self.address = client.ip or "?"
        self.access = Access(service, lambda: Caller(self.sid, self.address))
        self._undo: list[Callable[[], None]] = []
        self.views: dict[str, Any] = {}
        #: the section nav's links by section name (built with the home)
        self.nav_links: dict[str, ui.element] = {}
        #: the open staff section (one at a time), kept across reloads of this browser
        self.current = str(app.storage.user.get("staff_section", "status"))
        client.on_delete(self._cleanup)

    @property
    def say(self) -> StaffText:
        return StaffText(self.lang)

    # ------------------------------------------------------------------ page
    def build(self) -> None:
        ui.add_head_html(
            '<link rel="stylesheet" href="/kiosk-static/admin.css"><script src="/kiosk-static/admin.js"></script>'
        )
        with frame(title=self.say("Administración · Quickpaymini"), demo=self.config.demo, lang=lambda: self.lang,
                   main_classes="admin-main w-full") as parts:  # fmt: skip
            self.parts: FrameParts = parts
            self.root = ui.column().classes("admin-root w-full gap-4")
        if self.lang != "es":
            ui.run_javascript(f"document.documentElement.lang = {json.dumps(self.lang)}")
        banner = parts.banner
        if banner is not None:  # not staff data: the gate shows it too, for the page's whole life
            banner.set_visibility(not self.service.state.online)

            def offline(state: KioskState) -> None:
                banner.set_visibility(not state.online)

            self.client.on_delete(self.service.on_state(offline))
        self.show()

    def show(self) -> None:
        if self.service.valid(self.access.caller):
            self.build_home()
        else:
            self.build_gate()

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "es" else "es"
        app.storage.user["staff_lang"] = self.lang
        if self.parts.banner is not None:
            self.parts.banner.set_text(t("engine_offline", self.lang))
        ui.page_title(self.say("Administración · Quickpaymini"))
        ui.run_javascript(f"document.documentElement.lang = {json.dumps(self.lang)}")
        self.show()

    def _language_button(self) -> None:
        button = ui.button(self.say("English"), on_click=self.toggle_language, color="grey-8")
        tid(attrs(button, {"lang": "en" if self.lang == "es" else "es"}), "staff-lang")

    # ------------------------------------------------------------------ gate
    def build_gate(self) -> None:
        self._drop_listeners()
        self.root.clear()
        with self.root:
            with ui.row().classes("w-full justify-end"):
                self._language_button()
            Gate(self.service, Caller(self.sid, self.address), self.say, self._logged_in).build()

    async def _logged_in(self, sid: str) -> None:
        app.storage.user["staff_sid"] = sid
        self.sid = sid
        self.build_home()

    def _session_ended(self) -> None:
        """Logout, expiry or lockout of this session, from any of its tabs: back to the gate, no more data."""
        self._drop_listeners()
        self.sid = ""
        if self.client.id in Client.instances:
            self.build_gate()

    async def logout(self) -> None:
        await self.service.audit(self.access.caller, "logout", "ok")
        app.storage.user.pop("staff_sid", None)
        self.service.sessions.end(self.sid)  # every tab of this session goes back to the gate
        ui.navigate.to("/admin")

    def _drop_listeners(self) -> None:
        for undo in self._undo:
            undo()
        self._undo.clear()
        catalog = self.views.get("catalog")
        if catalog is not None:
            catalog.cleanup()
        self.views = {}

    def _cleanup(self) -> None:
        self._drop_listeners()

    # ------------------------------------------------------------------ home
    def build_home(self) -> None:
        if not self.service.valid(self.access.caller):
            self.build_gate()
            return
        self._drop_listeners()
        self.root.clear()
        say, service, access = self.say, self.service, self.access
        views: dict[str, Any] = {
            "status": StatusView(say),
            "actions": ActionsView(access, service.actions(access.caller), say),
            "review": ReviewView(access, service, say),
            "screen": ScreenView(access, service, say),
            "catalog": CatalogView(access, service, say, self.client),
            "sales": SalesView(access, service, say),
            "journal": JournalView(access, service, say),
        }
        if self.alerts is not None:
            views["alerts"] = AlertsView(access, self.alerts, say)
        self.views = views
        with self.root:
            self._header()
            with ui.element("div").classes("admin-layout w-full"):
                self._nav()
                with ui.column().classes("admin-sections w-full gap-6") as self.sections_box:
                    wifi_warning(self.config, say)
                    self._sections(views)
        self._undo += [service.on_state(self._on_state), service.on_result(self._on_result),
                       service.quick_picks.on_change(self._on_picks),
                       service.sessions.on_end(self.sid, self._session_ended)]  # fmt: skip
        if self.alerts is not None:
            self._undo.append(self.alerts.on_record(self._on_alert))
        self._on_state(service.state)
        spawn(views["review"].render())
        spawn(views["sales"].render())
        spawn(views["journal"].render())

    def _header(self) -> None:
        say = self.say
        with tid(ui.element("header").classes("admin-header w-full"), "admin-home"):
            ui.html(say("Administración del cajero"), tag="h1").classes("admin-h1")
            with ui.row().classes("gap-2 items-center"):
                ui.link(say("Pantalla del cliente"), "/").classes("admin-link")
                self._language_button()
                tid(ui.button(say("Salir"), icon="logout", on_click=self.logout, color="grey-8"), "admin-logout")

    def _nav(self) -> None:
        with attrs(ui.element("nav").classes("admin-nav"), {"aria-label": self.say("Secciones")}):
            for name, title, icon in SECTIONS:
                # a plain <a> (not ui.link): the click opens the section here; the href keeps it a real link
                link = tid(ui.element("a").classes("admin-nav-link"), f"nav-{name}")
                link.props.update({"href": f"#sec-{name}"})
                link.on("click", lambda _e, n=name: self.open_section(n, focus=True))
                with link:
                    ui.icon(icon).props('aria-hidden="true"')
                    ui.label(self.say(title))
                self.nav_links[name] = link

    def _sections(self, views: dict[str, Any]) -> None:
        say = self.say
        self.sections: dict[str, ui.element] = {}
        with section("status", say("Estado del equipo")) as self.sections["status"]:
            views["status"].build()
            if "alerts" in views:
                ui.html(say("Alertas recientes"), tag="h3").classes("admin-h3")
                views["alerts"].build()
        with section("actions", say("Acciones")) as self.sections["actions"]:
            views["actions"].build()
        with section("review", say("Pagos por revisar y cambio pendiente")) as self.sections["review"]:
            views["review"].build()
        with section("screen", say("Pantalla de espera")) as self.sections["screen"]:
            views["screen"].build()
        with section("catalog", say("Catálogo de productos")) as self.sections["catalog"]:
            views["catalog"].build()
        with section("journal", say("Ventas y bitácora")) as self.sections["journal"]:
            views["sales"].build()
            ui.html(say("Bitácora"), tag="h3").classes("admin-h3")
            views["journal"].build()
        with section("tablet", say("Conectar una tableta")) as self.sections["tablet"]:
            tablet_view(self.config, say)
        self.open_section(self.current)

    def open_section(self, name: str, focus: bool = False) -> None:
        """Each section is its own view (no 6,000 px page): the sections' box names the open one and the
        style sheet shows only it. The others stay built (their live news keeps arriving) but not shown."""
        if name not in self.sections or not self.service.valid(self.access.caller):
            return
        self.current = name
        app.storage.user["staff_section"] = name
        self.sections_box.props.update({"data-open": name})
        self.sections_box.update()
        for other, link in self.nav_links.items():
            if other == name:
                link.props.update({"aria-current": "page"})
                link.classes(add="active")
            else:
                link.props.pop("aria-current", None)
                link.classes(remove="active")
            link.update()
        if focus:  # the section's landmark takes the focus: screen readers and phones land on its heading
            ui.run_javascript(f"document.getElementById({json.dumps('sec-' + name)})?.focus()")

    # ------------------------------------------------------------------ pushed news
    def _on_state(self, state: KioskState) -> None:
        status = self.views.get("status")
        if status is not None:
            status.render(state, self.service.busy, self.service.journal_error, self._alert_titles())
        actions = self.views.get("actions")
        if actions is not None:
            actions.payment_changed(self.service.busy)

    def _alert_titles(self) -> tuple[str, ...]:
        """The alerts that hold now (their titles), except those the state already says (health line)."""
        if self.alerts is None:
            return ()
        names = (title(key, self.lang) for key in self.alerts.holding() if key not in SAID_BY_STATE)
        return tuple(name[:1].lower() + name[1:] for name in names)  # mid-sentence in the health line

    def _on_result(self, _result: object) -> None:
        """A payment ended (the journal already holds it): owed/review, the report, the newest journal page."""
        if self.client.is_deleted or self.root.is_deleted or not self.views:
            return
        spawn(self._refresh_in_page())

    async def _refresh_in_page(self) -> None:
        views = self.views
        with self.root:
            await views["review"].render()
            if views["journal"].on_newest_page:
                await views["journal"].show_page()
                await views["sales"].render()

    def _on_picks(self, items: list[Pick]) -> None:
        catalog = self.views.get("catalog")
        if catalog is not None and not self.client.is_deleted:
            with self.root:
                catalog.render_picks(items)

    def _on_alert(self, record: AlertRecord) -> None:
        alerts = self.views.get("alerts")
        if alerts is not None and not self.client.is_deleted:
            with self.root:
                alerts.recorded(record)
                self._on_state(self.service.state)
