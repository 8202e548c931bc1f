/* masthead search: starts Pagefind's own UI (pagefind-ui.js, from this site's bundle for the
   page's language) in the search page, with the site's base address in front of results and
   cover images, and runs the search given as ?q= in the address. A language's index is split
   into shards (pagefind/<lang>/shards.json lists them): the first is loaded, the others are
   merged into it (Pagefind's mergeIndex). Nothing is fetched from any other host. */
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
  function start(shards) {
    var ui = new win.PagefindUI({
      element: "[data-search-ui]",
      bundlePath: bundle + shards[0],
      mergeIndex: shards.slice(1).map(function (shard) { return {bundlePath: bundle + shard, baseUrl: base}; }),
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
  }
  win.fetch(bundle + "shards.json")
    .then(function (response) { return response.ok ? response.json() : {shards: ["0/"]}; })
    .then(function (listing) { start(listing.shards && listing.shards.length ? listing.shards : ["0/"]); },
          function () { start(["0/"]); });
})(document, window);
