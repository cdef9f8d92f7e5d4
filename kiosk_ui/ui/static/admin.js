// The staff area's browser helper. Runs on changes only (observers), never on a timer:
// - every progress bar gets an accessible name (Quasar's loading bar has none), in the page's language;
// - the section nav marks the section in view (class "active", aria-current) as staff scroll.
(function () {
  var seen = new WeakSet();
  var spy = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      document.querySelectorAll(".admin-nav-link").forEach(function (link) {
        var on = link.getAttribute("href") === "#" + entry.target.id;
        link.classList.toggle("active", on);
        if (on) {
          link.setAttribute("aria-current", "true");
          link.scrollIntoView({ block: "nearest", inline: "nearest" });
        } else {
          link.removeAttribute("aria-current");
        }
      });
    });
  }, { rootMargin: "-15% 0px -75% 0px" });
  function update() {
    var text = document.documentElement.lang === "en" ? "Loading" : "Cargando";
    document.querySelectorAll("[role=progressbar]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", text);
    });
    document.querySelectorAll(".admin-section").forEach(function (section) {
      if (!seen.has(section)) {
        seen.add(section);
        spy.observe(section);
      }
    });
  }
  new MutationObserver(update).observe(document.documentElement,
    { subtree: true, childList: true, attributes: true, attributeFilter: ["role"] });
  document.addEventListener("DOMContentLoaded", update);
})();
