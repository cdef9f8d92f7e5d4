// Browser-side helpers of the customer screen: clock, sounds, speech, barcode-scanner wedge.
// The clock runs here, not as a server timer, so an idle kiosk costs the server nothing.
(function () {
  const state = { sounds: true, voice: true, lang: "es" };
  window.kioskConfigure = function (opts) { Object.assign(state, opts); };

  function tickClock() {
    const now = new Date();
    const locale = state.lang === "en" ? "en-US" : "es-MX";
    document.querySelectorAll("[data-kiosk-clock]").forEach(function (el) {
      el.textContent = now.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    });
    document.querySelectorAll("[data-kiosk-date]").forEach(function (el) {
      const text = now.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
      el.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    });
  }
  function scheduleClock() { tickClock(); setTimeout(scheduleClock, 1000 - (Date.now() % 1000) + 5); }
  document.addEventListener("DOMContentLoaded", scheduleClock);
  window.kioskTickClock = tickClock;

  const audio = {};
  window.kioskSound = function (name) {
    if (!state.sounds) return;
    try {
      const a = audio[name] || (audio[name] = new Audio("/kiosk-assets/sounds/" + name + ".wav"));
      a.currentTime = 0;
      const p = a.play(); if (p && p.catch) p.catch(function () {});
    } catch (e) { /* no audio device: stay silent */ }
  };
  window.kioskSay = function (text) {
    if (!state.voice || !("speechSynthesis" in window)) return;
    try {
      window.speechSynthesis.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = state.lang === "en" ? "en-US" : "es-MX";
      window.speechSynthesis.speak(u);
    } catch (e) { /* speech not available */ }
  };

  // Fast path for the live payment figures: write the text into the label's own text node, so the
  // customer sees a coin at once instead of after a Vue re-render of the whole page. Keeping Vue's
  // node (not replacing it) means Vue's own later patch of the same text still lands where it should.
  window.kioskLive = function (values) {
    for (const [testId, text] of Object.entries(values)) {
      document.querySelectorAll('[data-testid="' + testId + '"]').forEach(function (el) {
        const node = el.firstChild;
        if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
          if (node.data !== text) node.data = text;
        } else if (el.textContent !== text) {
          el.textContent = text;
        }
      });
    }
  };

  // Keyboard-wedge barcode scanners type a fast burst of characters then Enter.
  let buffer = "", last = 0;
  document.addEventListener("keydown", function (ev) {
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    const now = Date.now();
    if (now - last > 120) buffer = "";
    last = now;
    if (ev.key === "Enter") {
      if (buffer.length >= 3 && typeof emitEvent === "function") emitEvent("kiosk_scan", buffer);
      buffer = "";
    } else if (ev.key.length === 1 && /[0-9A-Za-z\-]/.test(ev.key)) {
      buffer += ev.key;
    }
  });
})();
