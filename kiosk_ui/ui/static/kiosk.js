// Browser-side helpers of the customer screen: clock, sounds, speech, barcode-scanner wedge.
// The clock runs here, not as a server timer, so an idle kiosk costs the server nothing.
(function () {
  const state = { sounds: true, voice: true, lang: "es" };
  window.kioskConfigure = function (opts) { Object.assign(state, opts); };

  // It shows hours and minutes: the text is made (Intl formatting) and written only when the minute or the
  // language changed, or a clock element is still blank (made after the last tick); each write costs the
  // browser a layout and a paint, and the idle screen shows all day.
  let clockShown = "";
  function tickClock() {
    const now = new Date();
    const locale = state.lang === "en" ? "en-US" : "es-MX";
    const minute = locale + Math.floor(now.getTime() / 60000);
    if (minute === clockShown && !document.querySelector("[data-kiosk-clock]:empty, [data-kiosk-date]:empty")) return;
    clockShown = minute;
    const time = now.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    const date = now.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    setText("[data-kiosk-clock]", time);
    setText("[data-kiosk-date]", date.charAt(0).toUpperCase() + date.slice(1));
  }
  function setText(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { if (el.textContent !== text) el.textContent = text; });
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
    // played after the next paint: asked for with a coin's new figures (one message), its seek and start
    // (a few ms) must not hold back the figures on the screen
    afterPaint(function () {
      try {
        const a = sound(name);
        a.currentTime = 0;
        const p = a.play(); if (p && p.catch) p.catch(function () {});
      } catch (e) { /* no audio device: stay silent */ }
    });
  };
  function sound(name) { return audio[name] || (audio[name] = new Audio("/kiosk-assets/sounds/" + name + ".wav")); }
  // The clink is fetched (an Audio preloads) with the page, not with the first coin: ten screens each fetched it
  // from the app while the first coins' figures were on their way to them.
  document.addEventListener("DOMContentLoaded", function () {
    try { sound("coin"); } catch (e) { /* no audio: stay silent */ }
  });
  function afterPaint(fn) {
    if (document.hidden) { setTimeout(fn, 0); return; }  // no frames are drawn in a hidden page
    requestAnimationFrame(function () { setTimeout(fn, 0); });
  }
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
  // The cross-fade is two poses: both slides at half opacity, then the new one alone (FADE_HALF ms later).
  // Drawn as a CSS transition, even a stepped one, the browser ran the animation for its whole length on
  // every change, every 7 s all day: about 0.3 % of a core without a GPU; two poses are two frames.
  const FADE_HALF = 200;
  let fadeTimer = null;
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
        if (s.classList.contains("is-on") !== on) s.classList.add("is-half");  // leaving or coming
        s.classList.toggle("is-on", on);
        s.setAttribute("aria-hidden", on ? "false" : "true");
      });
    });
    clearTimeout(fadeTimer);
    fadeTimer = setTimeout(function () {
      document.querySelectorAll("[data-slide].is-half").forEach(function (s) { s.classList.remove("is-half"); });
    }, FADE_HALF);
  }
  window.kioskAttractStep = attractStep;
  setInterval(attractStep, 7000);

  // Fast path for the live payment figures: write the text into the label's own text node, so the
  // customer sees a coin at once instead of after a Vue re-render of the whole page. Keeping Vue's
  // node (not replacing it) means Vue's own later patch of the same text still lands where it should.
  // Each figure is found by its own data-live key (components/live.py), not by a test id, among the live
  // labels of the page: a collection the browser keeps current (class kiosk-live), where a selector search
  // went through the whole page's DOM on every coin.
  const liveLabels = document.getElementsByClassName("kiosk-live");
  window.kioskLive = function (values) {
    for (let i = 0; i < liveLabels.length; i++) {
      const el = liveLabels[i];
      const text = values[el.getAttribute("data-live")];
      if (text === undefined) continue;
      const node = el.firstChild;
      if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
        if (node.data !== text) node.data = text;
      } else if (el.textContent !== text) {
        el.textContent = text;
      }
    }
  };

  // Idle eyes (components/eyes.py): the face blinks (scaleY) and the pupils glance around (translate, in % of the
  // face). Eyes move in quick jumps and hold still between them, so they are drawn that way: a glance is one new
  // pose, a blink two (shut, open), and nothing runs between moves. Each pose is a frame the browser draws (a few
  // ms of CPU without a GPU): under one a second, where a CSS animation drew 60. Nothing moves while the eyes
  // cannot be seen: page hidden, eyes hidden, or their attract slide off (checked once a second).
  // Each track repeats every `period` ms through its keys [offset, value...]; a move between two keys lasts a
  // few ms, so the pose after it is the one drawn (EYES_FPS paces a longer move).
  const EYES_FPS = 20;
  const EYES = {
    blink: { period: 5000, keys: [[0, 1], [0.93, 1], [0.9305, 0.08], [0.955, 0.08], [0.9555, 1], [1, 1]] },
    look: { period: 9000, keys: [[0, 0, 0], [0.2, 0, 0], [0.2003, -3.3, 1.5], [0.42, -3.3, 1.5], [0.4203, 3.3, -1],
                                 [0.62, 3.3, -1], [0.6203, 0, 4], [0.8, 0, 4], [0.8003, 0, 0], [1, 0, 0]] },
  };
  const eyesStart = Date.now();
  const eyesStats = { poses: 0 };
  function easeInOut(p) { return p < 0.5 ? 2 * p * p : 1 - 2 * (1 - p) * (1 - p); }
  // the track's value at `t` ms, and how long it stays so (0: it is moving)
  function eyesTrack(track, t) {
    const at = (t % track.period) / track.period;
    for (let i = 1; i < track.keys.length; i++) {
      const a = track.keys[i - 1], b = track.keys[i];
      if (at > b[0]) continue;
      const still = a.every(function (v, j) { return j === 0 || v === b[j]; });
      if (still) return { value: a.slice(1), hold: (b[0] - at) * track.period };
      const p = easeInOut((at - a[0]) / (b[0] - a[0]));
      return { value: a.slice(1).map(function (v, j) { return v + (b[j + 1] - v) * p; }), hold: 0 };
    }
    return { value: track.keys[0].slice(1), hold: 0 };
  }
  // compared with what was written (the browser reads a transform back in its own spelling)
  function pose(el, transform) {
    if (el.kioskPose === transform) return;
    el.kioskPose = transform;
    el.style.transform = transform;
    eyesStats.poses++;
  }
  function eyesShown(face) {
    const slide = face.closest("[data-slide]");
    return face.getClientRects().length > 0 && (!slide || slide.classList.contains("is-on"));
  }
  function eyesStep() {
    const faces = Array.prototype.filter.call(document.querySelectorAll("[data-kiosk-eyes]"), eyesShown);
    const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (document.hidden || !faces.length || still) { eyesLater(1000); return; }
    const t = Date.now() - eyesStart;
    const blink = eyesTrack(EYES.blink, t), look = eyesTrack(EYES.look, t);
    const lid = "scaleY(" + blink.value[0].toFixed(3) + ")";
    const pupils = "translate(" + look.value[0].toFixed(2) + "%, " + look.value[1].toFixed(2) + "%)";
    faces.forEach(function (face) {
      pose(face, lid);
      const eyes = face.querySelector(".kiosk-eyes-pupils");
      if (eyes) pose(eyes, pupils);
    });
    const frame = 1000 / EYES_FPS;
    eyesLater(Math.min(1000, Math.max(frame, Math.min(blink.hold, look.hold))));
  }
  let eyesTimer = null;
  function eyesLater(ms) { clearTimeout(eyesTimer); eyesTimer = setTimeout(eyesStep, ms); }  // one loop, never two
  document.addEventListener("DOMContentLoaded", function () { eyesLater(0); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) eyesLater(0); });
  window.kioskEyesStats = eyesStats;

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
