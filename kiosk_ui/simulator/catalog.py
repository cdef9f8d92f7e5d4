"""The simulator's product catalog: a small SQLite table seeded with Mexican store items."""

from __future__ import annotations

import sqlite3
import threading
from decimal import Decimal
from pathlib import Path

from ..protocol import Product

SEED: tuple[tuple[str, str, str, str], ...] = (
    ("7501055300075", "Coca-Cola 600 ml", "PZA", "18.50"),
    ("7501000111206", "Pan Bimbo Blanco Grande", "PZA", "49.00"),
    ("7501020515343", "Leche Lala Entera 1 L", "LT", "28.50"),
    ("7501011115545", "Sabritas Original 45 g", "PZA", "19.00"),
    ("7501000153107", "Gansito Marinela", "PZA", "17.00"),
    ("7501059224971", "Café Nescafé Clásico 120 g", "PZA", "89.90"),
    ("7501003339609", "Frijol Negro La Costeña 560 g", "PZA", "27.50"),
    ("7501058617873", "Agua Ciel 1 L", "LT", "13.00"),
    ("7501030459187", "Huevo Blanco 12 piezas", "PZA", "42.00"),
    ("0000000000101", "Tortilla de maíz", "KG", "24.00"),
    ("0000000000102", "Jitomate saladet", "KG", "32.90"),
    ("7501032397258", "Jabón Zote Blanco 400 g", "PZA", "23.50"),
    ("7501008042090", "Galletas Marías Gamesa 170 g", "PZA", "21.00"),
)


class Catalog:
    """Thread-safe so the demo's in-process engine and a test can share one file."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS productos (codigo TEXT PRIMARY KEY, descripcion TEXT NOT NULL,"
                " udm TEXT NOT NULL, precio TEXT NOT NULL, imagen TEXT NOT NULL DEFAULT '')"
            )
            if self._db.execute("SELECT COUNT(*) FROM productos").fetchone()[0] == 0:
                self._db.executemany(
                    "INSERT INTO productos (codigo, descripcion, udm, precio) VALUES (?, ?, ?, ?)", SEED
                )

    @staticmethod
    def _row(row: tuple[str, str, str, str, str]) -> Product:
        return Product(code=row[0], description=row[1], udm=row[2], price=Decimal(row[3]), image=row[4])

    def get(self, code: str) -> Product | None:
        with self._lock:
            row = self._db.execute(
                "SELECT codigo, descripcion, udm, precio, imagen FROM productos WHERE codigo = ?", (code,)
            ).fetchone()
        return None if row is None else self._row(row)

    def search(self, text: str, limit: int = 100) -> list[Product]:
        pattern = f"%{text.strip()}%"
        with self._lock:
            rows = self._db.execute(
                "SELECT codigo, descripcion, udm, precio, imagen FROM productos"
                " WHERE codigo LIKE ? OR descripcion LIKE ? ORDER BY descripcion LIMIT ?",
                (pattern, pattern, limit),
            ).fetchall()
        return [self._row(r) for r in rows]

    def new_code(self) -> str:
        with self._lock:
            rows = self._db.execute("SELECT codigo FROM productos").fetchall()
        numbers = [int(r[0]) for r in rows if r[0].isdigit() and len(r[0]) <= 13 and r[0].startswith("0")]
        return f"{(max(numbers, default=100) + 1):013d}"

    def save(self, product: Product) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO productos (codigo, descripcion, udm, precio, imagen) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(codigo) DO UPDATE SET descripcion=excluded.descripcion, udm=excluded.udm,"
                " precio=excluded.precio, imagen=excluded.imagen",
                (product.code, product.description, product.udm, str(product.price or 0), product.image),
            )

    def delete(self, code: str) -> bool:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM productos WHERE codigo = ?", (code,)).rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
