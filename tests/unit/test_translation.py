"""One translation function for customer keys and staff texts; labels and outcome words translated."""

from __future__ import annotations

from kiosk_ui.ui import i18n


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


def test_there_is_one_translation_function() -> None:
    assert not hasattr(i18n, "tr")


def test_outcome_words_are_translated_for_spanish_staff() -> None:
    from kiosk_ui.journal import OUTCOMES

    assert i18n.outcome_text("cancelled", "es") == "cancelado"
    assert i18n.outcome_text("cancelled", "en") == "cancelled"
    assert all(i18n.outcome_text(o, "es") != o for o in OUTCOMES)


def test_the_eyes_are_labelled_in_both_languages() -> None:
    from kiosk_ui.ui.components.eyes import eyes_svg

    assert 'aria-label="Ojos' in eyes_svg("es")
    assert 'aria-label="Animated eyes' in eyes_svg("en")
