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

  // A sound asked for again within SOUND_GAP ms of its last start is skipped: a burst of credit
  // updates (the engine may send several per coin) makes one clink, not a restart per frame, and
  // each restart costs the browser a seek and a decode.
  const SOUND_GAP = 150;
  const audio = {};
  const started = {};
  window.kioskSound = function (name) {
    if (!state.sounds) return;
    const now = Date.now();
    if (now - (started[name] || 0) < SOUND_GAP) return;
    started[name] = now;
    try {
      const a = audio[name] || (audio[name] = new Audio("/kiosk-assets/sounds/" + name + ".wav"));
      a.currentTime = 0;
      const p = a.play(); if (p && p.catch) p.catch(function () {});
    } catch (e) { /* no audio device: stay silent */ }
  };
  window.kioskSay = function (text) {
    if (!state.voice || !("speechSynthesis" in window)) return;
    try {
      window.speechSynthesis.cancel();  // guidance follows the screen: the new sentence replaces the old
      const u = new SpeechSynthesisUtterance(text);
      u.lang = state.lang === "en" ? "en-US" : "es-MX";
      window.speechSynthesis.speak(u);
    } catch (e) { /* speech not available */ }
  };

  window.kioskHush = function () {
    try { if ("speechSynthesis" in window) window.speechSynthesis.cancel(); } catch (e) { /* no speech */ }
  };

  // While a customer dialog is open, the page behind it is inert (no touch, focus or screen reader).
  window.kioskInert = function (on) {
    document.querySelectorAll("main").forEach(function (el) { el.inert = !!on; });
  };

  // Quasar's page-loading bar is a progressbar without a name: give it one (it is made once, at start-up).
  function nameLoadingBar(tries) {
    const bar = document.querySelector(".q-loading-bar");
    if (bar) { bar.setAttribute("aria-label", state.lang === "en" ? "Loading" : "Cargando"); return; }
    if (tries > 0) setTimeout(function () { nameLoadingBar(tries - 1); }, 200);
  }
  document.addEventListener("DOMContentLoaded", function () { nameLoadingBar(50); });

  // Customer accessibility switch: high contrast and large text on the whole page.
  window.kioskA11y = function (on) { document.documentElement.classList.toggle("kiosk-a11y", !!on); };

  // Idle attract loop: every few seconds show the next slide that has something visible. A slide whose
  // content the engine's screensettings turned off (hidden by the server) is skipped, never shown.
  function slideHasContent(slide) {
    return Array.prototype.some.call(slide.children, function (c) { return c.getClientRects().length > 0; });
  }
  function attractStep() {
    document.querySelectorAll("[data-attract]").forEach(function (stage) {
      if (!stage.getClientRects().length) return;  // idle screen not shown
      const slides = Array.prototype.filter.call(stage.children, function (s) { return s.hasAttribute("data-slide"); });
      const usable = slides.filter(slideHasContent);
      const current = slides.findIndex(function (s) { return s.classList.contains("is-on"); });
      let next = null;
      for (let i = 1; i <= slides.length; i++) {
        const s = slides[(current + i) % slides.length];
        if (usable.indexOf(s) >= 0) { next = s; break; }
      }
      slides.forEach(function (s) {
        const on = s === next;
        s.classList.toggle("is-on", on);
        s.setAttribute("aria-hidden", on ? "false" : "true");
      });
    });
  }
  window.kioskAttractStep = attractStep;
  setInterval(attractStep, 7000);

  // Fast path for the live payment figures: write the text into the label's own text node, so the
  // customer sees a coin at once instead of after a Vue re-render of the whole page. Keeping Vue's
  // node (not replacing it) means Vue's own later patch of the same text still lands where it should.
  // Each figure is found by its own data-live key (components/live.py), not by a test id.
  window.kioskLive = function (values) {
    for (const [key, text] of Object.entries(values)) {
      document.querySelectorAll('[data-live="' + key + '"]').forEach(function (el) {
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
