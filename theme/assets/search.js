/* masthead search: filters the search index in the browser as the reader types.
   Index entries: {t: title, u: site-relative url, s: summary, a: authors, g: tags,
   l: lang, d: ISO date, c: section title}. Every word typed must match, ignoring case
   and accents (NFKD, marks dropped); Hangul is compared jamo by jamo, so a syllable
   still being typed already matches. */
(function (doc, win) {
  "use strict";
  var box = doc.querySelector("[data-search]");
  if (!box || !win.fetch || !"".normalize) return;

  var form = box.querySelector("form");
  var input = box.querySelector("input[type=search]");
  var status = box.querySelector("[role=status]");
  var list = box.querySelector("ol");
  var root = box.getAttribute("data-root") || "";
  var pageLang = doc.documentElement.lang;
  var LIMIT = 50;
  var entries = null;
  var announceTimer = 0;
  var marks;
  try { marks = new RegExp("\\p{M}+", "gu"); } catch (e) { marks = /[\u0300-\u036f]+/g; }

  function msg(name, n) {
    return (box.getAttribute("data-msg-" + name) || "").replace("{n}", String(n));
  }
  function fold(text) {
    return String(text || "").normalize("NFKD").replace(marks, "").toLowerCase();
  }
  function words(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }
  function joined(value) {
    return [].concat(value || []).join(", ");
  }
  function say(text, now) {
    win.clearTimeout(announceTimer);
    // Wait for a pause in typing so screen readers are not flooded with counts.
    announceTimer = win.setTimeout(function () { status.textContent = text; }, now ? 0 : 400);
  }

  function prepare(raw) {
    return raw.map(function (e, i) {
      var authors = joined(e.a);
      return {
        e: e, i: i, authors: authors, title: fold(e.t),
        hay: fold([e.t, e.s, authors, joined(e.g), e.c, e.l].join(" \u0001 "))
      };
    });
  }

  function find(query) {
    var ws = words(query);
    if (!ws.length) return [];
    var hits = entries.filter(function (x) {
      for (var k = 0; k < ws.length; k++) if (x.hay.indexOf(ws[k]) < 0) return false;
      return true;
    });
    // Title matches first; otherwise keep the index order (newest first).
    function score(x) {
      var s = 0;
      for (var k = 0; k < ws.length; k++) if (x.title.indexOf(ws[k]) >= 0) s++;
      return s;
    }
    hits.forEach(function (x) { x.score = score(x); });
    return hits.sort(function (p, q) { return q.score - p.score || p.i - q.i; });
  }

  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function dateText(iso) {
    if (!iso) return "";
    try {
      return new Date(iso).toLocaleDateString(pageLang || undefined, { year: "numeric", month: "long", day: "numeric" });
    } catch (e) { return String(iso).slice(0, 10); }
  }

  function render(hits) {
    list.textContent = "";
    hits.slice(0, LIMIT).forEach(function (x) {
      var e = x.e;
      var item = el("li");
      if (e.l && e.l !== pageLang) item.lang = e.l;
      var link = el("a", "", e.t);
      link.href = root + e.u;
      item.appendChild(link);
      if (e.s) item.appendChild(el("p", "result-summary", e.s));
      var meta = [e.c, x.authors, dateText(e.d)].filter(Boolean).join(" · ");
      var metaNode = el("p", "result-meta", meta);
      if (item.lang) metaNode.lang = pageLang;
      item.appendChild(metaNode);
      list.appendChild(item);
    });
  }

  function update(now) {
    if (!entries) return;
    var query = input.value;
    var hits = find(query);
    render(hits);
    if (!words(query).length) say("", true);
    else if (!hits.length) say(msg("none"), now);
    else say(msg("results", hits.length) + (hits.length > LIMIT ? " " + msg("more", LIMIT) : ""), now);
    try {
      var url = query ? "?q=" + encodeURIComponent(query) : win.location.pathname;
      win.history.replaceState(null, "", url);
    } catch (e) { /* file:// in some browsers */ }
  }

  function links() { return list.querySelectorAll("a"); }

  function onKey(event) {
    var all = Array.prototype.slice.call(links());
    var at = all.indexOf(doc.activeElement);
    if (event.key === "ArrowDown") {
      if (at < all.length - 1) { all[at + 1].focus(); event.preventDefault(); }
    } else if (event.key === "ArrowUp") {
      if (at > 0) all[at - 1].focus(); else input.focus();
      event.preventDefault();
    } else if (event.key === "Escape" && at >= 0) {
      input.focus();
    }
  }

  box.querySelector("[data-search-nojs]").hidden = true;
  form.hidden = false;
  var initial = new URLSearchParams(win.location.search).get("q");
  if (initial) input.value = initial;

  input.addEventListener("input", function () { update(false); });
  input.addEventListener("keydown", onKey);
  list.addEventListener("keydown", onKey);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update(true);
    var first = links()[0];
    if (first) first.focus();
  });

  box.setAttribute("aria-busy", "true");
  say(msg("loading"), true);
  win.fetch(box.getAttribute("data-index"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (data) {
      entries = prepare(Array.isArray(data) ? data : []);
      box.removeAttribute("aria-busy");
      say("", true);
      update(true);
    })
    .catch(function () {
      box.removeAttribute("aria-busy");
      say(msg("error"), true);
      var archive = box.querySelector("[data-search-nojs] a");
      if (archive) status.parentNode.insertBefore(archive.cloneNode(true), status.nextSibling);
    });
})(document, window);
