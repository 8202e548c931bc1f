/* masthead theme: progressive enhancement only; every page works without it.
   Loaded without `defer` so a stored theme is applied before the first paint. */
(function (doc, win) {
  "use strict";
  var KEY = "masthead-theme";
  var root = doc.documentElement;

  function stored() {
    try { return win.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(value) {
    try { win.localStorage.setItem(KEY, value); } catch (e) { /* private mode: not kept */ }
  }
  function isDark() {
    var chosen = root.getAttribute("data-theme");
    if (chosen) return chosen === "dark";
    return !!(win.matchMedia && win.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  var saved = stored();
  if (saved === "light" || saved === "dark") root.setAttribute("data-theme", saved);

  function setUpToggle() {
    var button = doc.querySelector("[data-theme-toggle]");
    if (!button) return;
    var label = button.querySelector(".theme-label");
    // The label says what a click does; the page's theme is stated on the root element.
    function sync() {
      label.textContent = button.getAttribute(isDark() ? "data-to-light" : "data-to-dark");
    }
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      store(next);
      sync();
    });
    if (win.matchMedia) {
      var query = win.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", sync);
    }
    sync();
    button.hidden = false;
  }

  // Wide tables scroll inside their own keyboard-reachable box instead of the page.
  function wrapTables() {
    var main = doc.getElementById("content");
    var label = (main && main.getAttribute("data-table-label")) || "Table";
    var tables = doc.querySelectorAll(".prose table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.parentNode.classList.contains("table-wrap")) continue;
      var box = doc.createElement("div");
      box.className = "table-wrap";
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      box.setAttribute("aria-label", caption ? caption.textContent : label);
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
  }

  doc.addEventListener("DOMContentLoaded", function () {
    setUpToggle();
    wrapTables();
  });
})(document, window);
