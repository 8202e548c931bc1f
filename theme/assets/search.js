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
  // The count of results in the reader's plural form: Pagefind writes the bare number
  // ("[COUNT]"), which is then replaced by the catalog's form for a sample number of the
  // same CLDR category (data-msg-counts, see search.html).
  var counts = JSON.parse(box.getAttribute("data-msg-counts") || "[]");
  var none = box.getAttribute("data-msg-none") || "0";
  var rules = win.Intl && win.Intl.PluralRules ? new win.Intl.PluralRules(doc.documentElement.lang || "en") : null;
  function countText(n) {
    if (n === 0) return none;
    for (var i = 0; rules && i < counts.length; i++) {
      if (rules.select(counts[i][0]) === rules.select(n)) {
        return counts[i][1].replace(String(counts[i][0]), n.toLocaleString(doc.documentElement.lang || "en"));
      }
    }
    return String(n);
  }
  function watchCount(element) {
    var shown = "";
    new win.MutationObserver(function () {
      var message = element.querySelector(".pagefind-ui__message");
      if (!message || message.textContent === shown) return;
      // Pagefind groups the digits of a count over a thousand ("8,913")
      var found = /^\s*(\d[\d,.\s\u00a0\u202f']*)$/.exec(message.textContent);
      if (!found) return;
      shown = message.textContent = countText(parseInt(found[1].replace(/\D/g, ""), 10));
    }).observe(element, {childList: true, subtree: true, characterData: true});
  }
  function start(shards) {
    var element = doc.querySelector("[data-search-ui]");
    if (element) watchCount(element);
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
        search_label: box.getAttribute("data-msg-label"),
        zero_results: "0",
        one_result: "[COUNT]",
        many_results: "[COUNT]"
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
