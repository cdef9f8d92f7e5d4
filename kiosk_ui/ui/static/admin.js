// The staff area's browser helper: give every progress bar an accessible name (Quasar's loading bar
// has none), in the page's language. Runs on changes only (a MutationObserver), never on a timer.
(function () {
  function name() {
    var text = document.documentElement.lang === "en" ? "Loading" : "Cargando";
    document.querySelectorAll("[role=progressbar]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", text);
    });
  }
  new MutationObserver(name).observe(document.documentElement,
    { subtree: true, childList: true, attributes: true, attributeFilter: ["role"] });
  document.addEventListener("DOMContentLoaded", name);
})();
