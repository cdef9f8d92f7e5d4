"""Generate the customer screen's sounds (our own, no third-party media) as small WAV files.

Run: python scripts/make_sounds.py  → assets/sounds/*.wav (shipped in the wheel as kiosk_ui/assets/sounds/)
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds"

# name → list of (frequency Hz, duration s); 0 Hz is a rest
SOUNDS: dict[str, list[tuple[float, float]]] = {
    "touch": [(1200, 0.035)],
    "coin": [(1568, 0.06), (2093, 0.12)],
    "success": [(523.25, 0.11), (659.25, 0.11), (783.99, 0.11), (1046.5, 0.26)],
    "error": [(330, 0.16), (0, 0.04), (262, 0.28)],
    "cancel": [(659.25, 0.12), (523.25, 0.12), (392, 0.22)],
}


def tone(freq: float, seconds: float, volume: float = 0.35) -> list[int]:
    count = int(RATE * seconds)
    fade = max(1, int(RATE * 0.008))
    samples = []
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        value = math.sin(2 * math.pi * freq * i / RATE) if freq else 0.0
        # a touch of the second harmonic makes it less harsh than a pure sine on small speakers
        value = 0.8 * value + 0.2 * (math.sin(4 * math.pi * freq * i / RATE) if freq else 0.0)
        samples.append(int(32767 * volume * envelope * value))
    return samples


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, notes in SOUNDS.items():
        samples = [s for freq, seconds in notes for s in tone(freq, seconds)]
        with wave.open(str(OUT / f"{name}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        print(f"{name}.wav: {len(samples) / RATE:.2f} s")


if __name__ == "__main__":
    main()
