"""Sounds and spoken guidance for one customer tab, played by the browser (kiosk.js).

Speech follows the screen: a new sentence cuts the previous one short (``kioskSay`` cancels it), and
going back to idle hushes whatever was still being said.
"""

from __future__ import annotations

import json

from ....kiosk import PaymentResult
from ...components.scripts import Scripts
from ...i18n import spoken_money
from .texts import Texts


class Guidance:
    def __init__(self, scripts: Scripts, *, sounds: bool, voice: bool, lang: str) -> None:
        self.scripts = scripts
        self.sounds = sounds
        self.voice = voice
        self.configure(sounds=sounds, voice=voice, lang=lang)

    def configure(self, **options: object) -> None:
        self.scripts.run(f"window.kioskConfigure && window.kioskConfigure({json.dumps(options)})")

    def sound(self, name: str) -> None:
        if self.sounds:
            self.scripts.run(f"window.kioskSound && window.kioskSound({json.dumps(name)})")

    def say(self, text: str) -> None:
        if self.voice:
            self.scripts.run(f"window.kioskSay && window.kioskSay({json.dumps(text)})")

    def hush(self) -> None:
        if self.voice:
            self.scripts.run("window.kioskHush && window.kioskHush()")

    def toggle_voice(self) -> bool:
        self.voice = not self.voice
        if not self.voice:
            self.scripts.run("window.kioskHush && window.kioskHush()")
        self.configure(voice=self.voice)
        return self.voice


def announce(guide: Guidance, texts: Texts, result: PaymentResult) -> None:
    """The sound and the sentence for a payment's outcome."""
    if result.outcome == "completed":
        guide.sound("success")
        if result.change_paid > 0:
            guide.say(texts("say_change", amount=spoken_money(result.change_paid, texts.lang)))
        else:
            guide.say(texts("say_thanks"))
    elif result.outcome == "cancelled":
        guide.sound("cancel")
        guide.say(texts("say_cancelled"))
    else:
        guide.sound("error")
        if result.outcome == "declined":
            guide.say(texts("say_declined"))
