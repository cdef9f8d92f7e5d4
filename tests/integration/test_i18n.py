"""Every user-visible string has its es-MX text and an English twin."""

from __future__ import annotations

import ast
from pathlib import Path

from nicegui.testing.user import User

from kiosk_ui.ui import i18n
from kiosk_ui.ui.pages import admin

from ..helpers import Env, login

ADMIN_DIR = Path(admin.__file__).parent
STAFF_DIR = ADMIN_DIR.parents[2] / "staff"
STAFF_FILES = sorted([*ADMIN_DIR.glob("*.py"), *STAFF_DIR.glob("*.py")])
ADMIN_SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in STAFF_FILES)
SIM_SOURCE = (ADMIN_DIR.parent / "sim.py").read_text(encoding="utf-8")


def _strings(node: ast.AST) -> set[str]:
    """String constants a call shows: the branches of a conditional, not what it compares or indexes."""
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, ast.Compare | ast.Subscript):
        return set()
    return {text for child in ast.iter_child_nodes(node) for text in _strings(child)}


def staff_texts() -> set[str]:
    """The es-MX texts the staff and simulator pages pass to their translator, found in their source."""
    texts: set[str] = set()
    for node in [*ast.walk(ast.parse(ADMIN_SOURCE)), *ast.walk(ast.parse(SIM_SOURCE))]:
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        translated = (isinstance(func, ast.Attribute) and func.attr == "_") or (
            isinstance(func, ast.Name) and func.id in ("_", "say")
        )
        caption = isinstance(func, ast.Name) and func.id in ("cell", "CatalogError")
        if translated or caption:
            texts |= _strings(node.args[0])
        if isinstance(func, ast.Attribute) and func.attr == "plural":  # say.plural(count, one, many)
            texts |= {text for arg in node.args[1:3] for text in _strings(arg)}
    from kiosk_ui.ui.pages import sim

    texts |= {label for _, label in sim.FAULTS}
    from kiosk_ui.ui.pages.admin.journal_view import OUTCOME_WORDS

    texts |= {title for _, title, _ in admin.SECTIONS} | set(OUTCOME_WORDS.values())
    for action in admin.ACTIONS:
        texts |= {action.title, action.confirm}
    from kiosk_ui.ui.pages.admin import actions, health, journal_words, status

    texts |= set(journal_words.ACTION_NAMES.values()) | set(journal_words.RESULT_WORDS.values())
    texts |= {template for _, template in journal_words._WHERE}
    texts |= {title for title, _ in actions.GROUPS} | {"Otras"} | set(status.HEALTH_HEADS.values())
    health_source = Path(health.__file__).read_text(encoding="utf-8")
    texts |= {
        c.args[0].value
        for c in ast.walk(ast.parse(health_source))
        if isinstance(c, ast.Call)
        and isinstance(c.func, ast.Name)
        and c.func.id == "Reason"
        and isinstance(c.args[0], ast.Constant)
    }
    texts |= {"Conectado", "Conectando…", "Desconectado"}
    return texts


def test_every_staff_text_has_an_english_twin() -> None:
    texts = staff_texts()
    assert len(texts) > 100
    missing = sorted(t for t in texts if t not in i18n.STAFF_EN)
    assert missing == []


def test_english_templates_take_the_same_values() -> None:
    import string

    for es, en in i18n.STAFF_EN.items():
        names = {f for _, f, _, _ in string.Formatter().parse(es) if f}
        assert names == {f for _, f, _, _ in string.Formatter().parse(en) if f}, es


def test_every_customer_string_has_both_languages() -> None:
    for key, (es, en) in i18n.STRINGS.items():
        assert es and en, key


async def test_staff_area_switches_to_english(env: Env) -> None:
    user: User = env.new_user()
    await login(user)
    await user.should_see(marker="admin-home", retries=30)
    await user.should_see("Administración del cajero")
    user.find(marker="staff-lang").click()
    await user.should_see("Kiosk administration")
    await user.should_see("Open door")
    await user.should_see(marker="admin-home")
    # the choice is kept for this browser
    await user.open("/admin")
    await user.should_see("Kiosk administration")
