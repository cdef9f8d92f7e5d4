"""The product catalog (search as you type, create, edit, delete, picture) and the quick picks."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import Client, ui

from .... import product_images
from ....protocol import Product
from ....quick_picks import MAX_PICKS, Pick, PickError
from ....staff import StaffService
from ....staff.catalog import UDM_CHOICES, CatalogError, check_product
from ....tasks import spawn
from ...components.upload import Upload
from ...theme import attrs, tid
from .base import Access, StaffText, heading, staff_only

#: search once staff pause typing this long (one engine query per pause, not per key)
SEARCH_PAUSE = 0.35


class CatalogView:
    def __init__(self, access: Access, service: StaffService, say: StaffText, client: Client) -> None:
        self.access = access
        self.catalog = service.catalog
        self.picks = service.quick_picks
        self._ = say
        self.client = client
        self.editing: Product | None = None
        self.pending_image = ""
        self._timer: asyncio.TimerHandle | None = None

    def build(self) -> None:
        _ = self._
        with ui.row().classes("w-full gap-2 items-center"):
            self.search_box = tid(ui.input(_("Buscar por código o descripción")).props("outlined clearable")
                                  .classes("grow min-w-[12rem]"), "product-search")  # fmt: skip
            self.search_box.on("keydown.enter", self.search)
            self.search_box.on_value_change(self._search_soon)
            tid(ui.button(_("Buscar"), icon="search", on_click=self.search), "product-search-go")
            tid(ui.button(_("Nuevo producto"), icon="add", on_click=self.new, color="positive"), "product-new")
        with ui.column().classes("admin-panel w-full gap-1"):
            heading(_("Accesos rápidos en la pantalla del cliente (máximo {limit})", limit=MAX_PICKS), 3)
            self.picks_box = tid(ui.element("div").classes("admin-picks w-full"), "quick-picks")
        self._build_form()
        self.results = tid(ui.column().classes("w-full gap-1"), "product-list")
        self.render_picks(self.picks.items())

    def _build_form(self) -> None:
        _ = self._
        self.form = tid(ui.card().classes("w-full p-4 gap-2 admin-form"), "product-form")
        with self.form:
            self.code = tid(ui.input(_("Código")).props("outlined readonly"), "product-code")
            self.desc = tid(ui.input(_("Descripción")).props("outlined maxlength=120"), "product-desc")
            self.udm = tid(ui.select(list(UDM_CHOICES), value="PZA", label=_("Unidad de medida")).props("outlined"),
                           "product-udm")  # fmt: skip
            self.price = tid(ui.input(_("Precio")).props('outlined inputmode=decimal prefix="$"'), "product-price")
            with ui.row().classes("items-center gap-2"):
                upload = Upload(label=_("Imagen (PNG, JPG o WebP, máx. 1 MB)"), auto_upload=True, max_files=1,
                                   max_file_size=product_images.MAX_IMAGE_BYTES, on_upload=self.image_uploaded,
                                   on_rejected=lambda: self._error(self._("La imagen pesa más de 1 MB.")))  # fmt: skip
                tid(upload.props('accept="image/png,image/jpeg,image/webp"'), "product-image")
                self.image_name = ui.label("").classes("admin-muted")
            self.form_error = tid(ui.label("").classes("kiosk-alert kiosk-alert-bad").props('role="alert"'),
                                  "product-error")  # fmt: skip
            with ui.row().classes("gap-2"):
                tid(ui.button(_("Guardar"), icon="save", on_click=self.save, color="positive"), "product-save")
                self.delete_button = tid(ui.button(_("Eliminar"), icon="delete", on_click=self.ask_delete,
                                                   color="negative"), "product-delete")  # fmt: skip
                ui.button(_("Cerrar"), on_click=lambda: self.form.set_visibility(False), color="grey-8")
        self.form.set_visibility(False)
        with ui.dialog() as self.delete_dialog, ui.card().classes("p-6 gap-4").props('role="alertdialog"'):
            self.delete_text = ui.label("").classes("text-lg")
            with ui.row().classes("w-full justify-end gap-2"):  # the contract's confirmation ids
                tid(ui.button(_("Cancelar"), on_click=self.delete_dialog.close, color="grey-8"),
                    "confirm-cancel", "delete-cancel")  # fmt: skip
                tid(ui.button(_("Eliminar"), on_click=self.delete, color="negative"), "confirm-ok", "delete-ok")

    def cleanup(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    # ---- search
    def _search_soon(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(SEARCH_PAUSE, lambda: spawn(self._search_in_page()))

    async def _search_in_page(self) -> None:
        """A timer runs outside NiceGUI's page context: enter the page's (if it is still open)."""
        self._timer = None
        if self.client.is_deleted or self.results.is_deleted:
            return
        with self.results:
            await self.search()

    @staff_only
    async def search(self) -> None:
        try:
            items = await self.catalog.search(self.search_box.value or "", self.access.token)
        except CatalogError as exc:
            ui.notify(self._(str(exc)), type="negative")
            return
        _ = self._
        self.results.clear()
        with self.results:
            if not items:
                ui.label(_("Sin resultados")).classes("admin-muted")
            for product in items:
                with tid(ui.row().classes("admin-row w-full items-center gap-3 no-wrap"), "product-result"):
                    product_picture(self.catalog.image_url(product.image), product.description)
                    ui.label(product.code).classes("admin-code font-mono text-sm")
                    ui.label(product.description).classes("grow")
                    ui.label(product.udm).classes("w-12 max-sm:hidden")
                    ui.label(_.money(product.price)).classes("w-24 text-right font-semibold")
                    pinned = product.code in self.picks
                    icon = "push_pin" if pinned else "o_push_pin"
                    pin = ui.button(icon=icon, on_click=lambda p=product: self.toggle_pin(p))
                    label = f"{_('Acceso rápido')}: {product.description}"
                    attrs(pin.props("flat round"), {"aria-pressed": str(pinned).lower(), "aria-label": label})
                    tid(pin.classes("admin-pinned" if pinned else ""), "product-pin")
                    edit = ui.button(icon="edit", on_click=lambda p=product: self.edit(p))
                    tid(
                        attrs(edit.props("flat round"), {"aria-label": f"{_('Editar')}: {product.description}"}),
                        "product-edit",
                    )

    # ---- quick picks
    @staff_only
    async def toggle_pin(self, product: Product) -> None:
        if product.code in self.picks:
            await self.unpin(product.code)
        else:
            try:
                self.catalog.pin(product)
            except PickError:
                ui.notify(self._("Ya hay {limit} accesos rápidos: quite uno primero.", limit=MAX_PICKS),
                          type="warning")  # fmt: skip
                return
            await self.access.service.audit(self.access.caller, "quick-pick", "pinned", product.code)
        await self.search()

    @staff_only
    async def unpin(self, code: str) -> None:
        if self.catalog.unpin(code):
            await self.access.service.audit(self.access.caller, "quick-pick", "unpinned", code)

    @staff_only
    def move(self, code: str, offset: int) -> None:
        self.picks.move(code, offset)

    def render_picks(self, items: list[Pick]) -> None:
        """Pushed by the quick-pick store after every change (from any staff tab)."""
        if self.picks_box.is_deleted:
            return
        _ = self._
        self.picks_box.clear()
        with self.picks_box:
            if not items:
                ui.label(_("Ningún producto fijado: use el alfiler en los resultados.")).classes("admin-muted")
            for index, pick in enumerate(items):
                with tid(ui.column().classes("admin-pick items-center gap-1"), "quick-pick-row"):
                    product_picture(self.catalog.image_url(pick.image), pick.description)
                    ui.label(pick.description).classes("text-center font-semibold leading-tight")
                    ui.label(_.money(pick.price)).classes("admin-muted")
                    with ui.row().classes("gap-0 no-wrap"):
                        up = ui.button(icon="arrow_back", on_click=lambda c=pick.code: self.move(c, -1))
                        attrs(up.props("flat round dense"), {"aria-label": f"{_('Antes')}: {pick.description}"})
                        up.set_enabled(index > 0)
                        down = ui.button(icon="arrow_forward", on_click=lambda c=pick.code: self.move(c, 1))
                        attrs(down.props("flat round dense"), {"aria-label": f"{_('Después')}: {pick.description}"})
                        down.set_enabled(index < len(items) - 1)
                        off = ui.button(icon="close", on_click=lambda c=pick.code: self.unpin(c))
                        tid(attrs(off.props("flat round dense"), {"aria-label": f"{_('Quitar')}: {pick.description}"}),
                            "quick-pick-unpin")  # fmt: skip

    # ---- the form
    @staff_only
    async def new(self) -> None:
        try:
            code = await self.catalog.new_code(self.access.token)
        except CatalogError as exc:
            ui.notify(self._(str(exc)), type="negative")
            return
        self._open(Product(code, "", None, "PZA", ""), new=True)

    @staff_only
    def edit(self, product: Product) -> None:
        self._open(product, new=False)

    def _open(self, product: Product, new: bool) -> None:
        self.editing = product
        self.pending_image = product.image
        self.code.set_value(product.code)
        self.desc.set_value(product.description)
        self.udm.set_value(product.udm if product.udm in UDM_CHOICES else "PZA")
        self.price.set_value("" if product.price is None else f"{product.price:.2f}")
        self.image_name.set_text(product.image[:60])
        self.form_error.set_visibility(False)
        self.delete_button.set_visibility(not new)
        self.form.set_visibility(True)

    def _error(self, text: str) -> None:
        self.form_error.set_text(text)
        self.form_error.set_visibility(True)

    @staff_only
    async def image_uploaded(self, event: Any) -> None:
        if self.editing is None:
            return
        file = event.file
        if file.size() > product_images.MAX_IMAGE_BYTES:  # checked before reading it into memory
            self._error(self._("La imagen pesa más de 1 MB."))
            return
        try:
            name = await self.catalog.store_image(self.editing.code, await file.read(), file.content_type)
        except CatalogError as exc:
            self._error(self._(str(exc)))
            return
        self.pending_image = name
        self.image_name.set_text(name)

    @staff_only
    async def save(self) -> None:
        if self.editing is None:
            return
        caller, service = self.access.caller, self.access.service
        try:
            product = check_product(self.editing.code, self.desc.value or "", str(self.udm.value or ""),
                                    self.price.value or "", self.pending_image)  # fmt: skip
        except CatalogError as exc:
            self._error(self._(str(exc)))
            return
        try:
            await self.catalog.save(product, self.access.token)
        except CatalogError as exc:
            self._error(self._(str(exc)))
            await service.audit(caller, "product-save", "failed", product.code)
            return
        await service.audit(caller, "product-save", "saved", f"{product.code} {product.description} {product.price}")
        ui.notify(self._("Producto guardado"), type="positive")
        self.form.set_visibility(False)
        self.search_box.set_value(product.code)
        await self.search()

    @staff_only
    def ask_delete(self) -> None:
        if self.editing is None:
            return
        self.delete_text.set_text(self._("¿Eliminar «{name}» ({code})?", name=self.editing.description,
                                         code=self.editing.code))  # fmt: skip
        self.delete_dialog.open()

    @staff_only
    async def delete(self) -> None:
        if self.editing is None:
            return
        self.delete_dialog.close()
        code = self.editing.code
        try:
            await self.catalog.delete(code, self.access.token)
        except CatalogError as exc:
            self._error(self._(str(exc)))
            return
        await self.access.service.audit(self.access.caller, "product-delete", "deleted", code)
        ui.notify(self._("Producto eliminado"), type="positive")
        self.form.set_visibility(False)
        await self.search()


def product_picture(src: str, description: str) -> None:
    """A product's picture (``src`` a URL, '' when it has none: a neutral icon instead)."""
    if src:
        attrs(ui.image(src).classes("w-12 h-12 rounded"), {"alt": description})
    else:
        ui.icon("inventory_2").classes("text-4xl text-slate-500").props('aria-hidden="true"')
