"""The page frame every screen is built in (NiceGUI's modularization example: a frame as a context manager).

It puts on the page what every screen shares (styles and scripts, the title, the DEMO mark, the
engine-offline banner) and opens the page's one ``<main>`` landmark; the page builds its own content
inside it. Pages call it once per browser tab::

    with frame(title="Quickpaymini", demo=config.demo, lang=lambda: self.lang) as parts:
        ...  # the page's content, inside <main>
        parts.banner  # the offline banner, to re-translate or show/hide
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ui

from .theme import demo_mark, head, offline_banner


@dataclass(frozen=True)
class FrameParts:
    #: the engine-offline banner (``engine-offline``), or None when the page asked for none
    banner: ui.label | None
    #: the page's ``<main>`` element
    main: ui.element


@contextmanager
def frame(*, title: str, demo: bool, lang: Callable[[], str], banner: bool = True,
          main_classes: str = "w-full") -> Iterator[FrameParts]:  # fmt: skip
    """Build the shared parts of a page, then yield inside its ``<main>``."""
    head()
    ui.page_title(title)
    demo_mark(demo)
    offline = offline_banner(lang) if banner else None
    with ui.element("main").classes(main_classes) as main:
        yield FrameParts(offline, main)
