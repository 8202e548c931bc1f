/* masthead search: starts Pagefind's own UI (pagefind-ui.js, from this site's bundle for the
   page's language) in the search page, with the site's base address in front of results and
   cover images, and runs the search given as ?q= in the address. Nothing is fetched from
   any other host. */
(function (doc, win) {
  "use strict";
  var box = doc.querySelector("[data-search]");
  if (!box || !win.PagefindUI || !win.URL) return;
  var here = win.location.href;
  var base = new win.URL(box.getAttribute("data-root") || "./", here).pathname;
  var bundle = new win.URL(box.getAttribute("data-bundle"), here).pathname;
  var nojs = box.querySelector("[data-search-nojs]");
  if (nojs) nojs.hidden = true;
  var hint = doc.getElementById("search-hint");
  if (hint) hint.hidden = false;
  var ui = new win.PagefindUI({
    element: "[data-search-ui]",
    bundlePath: bundle,
    baseUrl: base,
    showSubResults: true,
    showImages: true,
    resetStyles: false,
    autofocus: true,
    translations: {
      placeholder: box.getAttribute("data-msg-placeholder"),
      search_label: box.getAttribute("data-msg-label")
    },
    processResult: function (result) {
      var meta = result.meta || {};
      if (meta.image && !/^(\/|[a-z][a-z0-9+.-]*:)/i.test(meta.image)) meta.image = base + meta.image;
      return result;
    }
  });
  var query = new win.URLSearchParams(win.location.search).get("q");
  if (query) ui.triggerSearch(query);
})(document, window);
