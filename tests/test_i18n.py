"""Every user-visible string has its es-MX text and an English twin."""

from __future__ import annotations

import ast
from pathlib import Path

from nicegui.testing.user import User

from kiosk_ui.ui import i18n
from kiosk_ui.ui.pages import admin

from .conftest import Env
from .test_admin import login

ADMIN_SOURCE = Path(admin.__file__).read_text(encoding="utf-8")
SIM_SOURCE = (Path(admin.__file__).parent / "sim.py").read_text(encoding="utf-8")


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
            isinstance(func, ast.Name) and func.id == "_"
        )
        caption = isinstance(func, ast.Name) and func.id == "cell"
        if translated or caption:
            texts |= _strings(node.args[0])
    from kiosk_ui.ui.pages import sim

    texts |= {label for _, label in sim.FAULTS}
    for action in admin.ACTIONS:
        texts |= {action.title, action.confirm}
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


def test_one_function_translates_customer_keys_and_staff_texts() -> None:
    assert i18n.t("pay_cash", "es") == "Pagar en efectivo"
    assert i18n.t("pay_cash", "en") == "Pay with cash"
    assert i18n.t("Abrir puerta", "es") == "Abrir puerta"
    assert i18n.t("Abrir puerta", "en") == "Open door"
    assert i18n.t("Página {page}", "en", page=2) == "Page 2"
    assert i18n.t("no such text", "en") == "no such text"


def test_customer_keys_never_collide_with_staff_texts() -> None:
    assert set(i18n.STRINGS) & set(i18n.STAFF_EN) == set()
    assert all(key.replace("_", "").replace("-", "").isalnum() and key == key.lower() for key in i18n.STRINGS)


def test_tr_is_only_an_alias_of_t() -> None:
    assert i18n.tr is i18n.t


def test_outcome_words_are_translated_for_spanish_staff() -> None:
    from kiosk_ui.journal import OUTCOMES

    assert i18n.outcome_text("cancelled", "es") == "cancelado"
    assert i18n.outcome_text("cancelled", "en") == "cancelled"
    assert all(i18n.outcome_text(o, "es") != o for o in OUTCOMES)


def test_the_eyes_are_labelled_in_both_languages() -> None:
    from kiosk_ui.ui.components.eyes import eyes_svg

    assert 'aria-label="Ojos' in eyes_svg("es")
    assert 'aria-label="Animated eyes' in eyes_svg("en")
