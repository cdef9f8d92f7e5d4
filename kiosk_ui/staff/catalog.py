"""Catalog requests for the staff area: search, new code, save, delete, product images, quick picks.

The engine keeps the catalog (``searchproduct``, ``getnewproductcode``, ``saveproduct``,
``deleteproduct``); images live in the data dir (see :mod:`kiosk_ui.product_images`). A failed
request raises :class:`CatalogError` with the es-MX text staff see; nothing is half done.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from .. import product_images
from ..engine import EngineClient, EngineTimeout, EngineUnavailable
from ..protocol import Message, Product, ProtocolError, parse_amount
from ..protocol import messages as m
from ..quick_picks import Pick, QuickPicks

UDM_CHOICES = ("PZA", "KG", "GR", "LT", "ML", "M", "CAJA", "PAQ", "SERV")
DESCRIPTION_LIMIT = 120
MAX_PRICE = Decimal("999999")
CENT = Decimal("0.01")
REQUEST_TIMEOUT = 10.0


class CatalogError(Exception):
    """A catalog request that did not happen; ``str(exc)`` is the es-MX text for staff."""


def check_product(code: str, description: str, udm: str, price_text: str, image: str) -> Product:
    """The product staff typed, or CatalogError (es-MX text) when a field is not valid."""
    description = description.strip()
    if not description:
        raise CatalogError("La descripción es obligatoria.")
    if len(description) > DESCRIPTION_LIMIT:
        raise CatalogError("La descripción es demasiado larga (máximo 120).")
    try:
        price = parse_amount(price_text.replace("$", "").replace(",", "").strip(), "precio")
    except ProtocolError:
        price = Decimal(-1)
    if price <= 0 or price != price.quantize(CENT) or price > MAX_PRICE:
        raise CatalogError("Precio no válido: use un monto como 18.50.")
    return Product(code, description, price, udm if udm in UDM_CHOICES else "PZA", image)


class CatalogService:
    def __init__(self, client: EngineClient, data_dir: Path, quick_picks: QuickPicks) -> None:
        self.client = client
        self.data_dir = data_dir
        self.quick_picks = quick_picks

    async def _ask(self, message: Message, token: str | None, failed: str) -> Message:
        try:
            return await self.client.request(message, timeout=REQUEST_TIMEOUT, token=token)
        except (EngineUnavailable, EngineTimeout):
            raise CatalogError(failed) from None

    async def search(self, text: str, token: str | None) -> tuple[Product, ...]:
        reply = await self._ask(m.SearchProduct(text.strip()), token, "No se pudo buscar: el equipo no responde")
        if not isinstance(reply, m.SearchResults):
            raise CatalogError("No se pudo buscar: el equipo no responde")
        return tuple(reply.items or ())

    async def new_code(self, token: str | None) -> str:
        reply = await self._ask(m.GetNewProductCode(), token, "El equipo no dio un código nuevo")
        if not isinstance(reply, m.NewProductCode) or not reply.code:
            raise CatalogError("El equipo no dio un código nuevo")
        return reply.code

    async def save(self, product: Product, token: str | None) -> None:
        assert product.price is not None  # check_product made it
        message = m.SaveProduct(product.code, product.description, product.udm, product.price, product.image)
        await self._ask(message, token, "El equipo no confirmó el guardado. Intente de nuevo.")
        if product.code in self.quick_picks:  # a pinned product shows its new name and price at once
            self.pin(product)

    async def delete(self, code: str, token: str | None) -> None:
        await self._ask(m.DeleteProduct(code), token, "El equipo no confirmó la eliminación.")
        self.quick_picks.unpin(code)

    # ---- images
    def image_url(self, image: str) -> str:
        return product_images.url(self.data_dir, image)

    async def store_image(self, code: str, data: bytes, content_type: str) -> str:
        """Keep an uploaded image for ``code``; its file name, or CatalogError."""
        if len(data) > product_images.MAX_IMAGE_BYTES:
            raise CatalogError("La imagen pesa más de 1 MB.")
        ext = product_images.check(data, content_type)
        if not ext:
            raise CatalogError("La imagen debe ser PNG, JPG o WebP.")
        stem = product_images.stem(code)
        base = product_images.folder(self.data_dir)
        await asyncio.to_thread(base.mkdir, parents=True, exist_ok=True)
        for other in product_images.IMAGE_TYPES.values():  # one image per product, whatever its type
            await asyncio.to_thread((base / f"{stem}{other}").unlink, missing_ok=True)
        await asyncio.to_thread((base / f"{stem}{ext}").write_bytes, data)
        return f"{stem}{ext}"

    # ---- quick picks (the customer screen's buttons)
    def pin(self, product: Product) -> None:
        """Pin ``product`` (its picture found by code when the engine gives none); PickError when full."""
        image = product.image or product_images.find(self.data_dir, product.code)
        self.quick_picks.pin(Pick(product.code, product.description, product.price or Decimal(0), product.udm, image))

    def unpin(self, code: str) -> bool:
        return self.quick_picks.unpin(code)
