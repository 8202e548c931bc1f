/* The send-a-text form, enhanced: a form token fetched when the page opens, the text sent
   with fetch, and every problem shown next to its field, without a reload and without losing
   a word. Without JavaScript the form still works: a plain POST, and a 303 to the receipt.
   What is typed is also kept in this tab's sessionStorage (never the e-mail address), so a
   reload or a lost connection does not lose it. */
(function () {
  "use strict";
  var form = document.getElementById("send-form");
  if (!form || !window.fetch || !window.JSON) return;
  var KEEP = ["name", "handle", "title", "section", "lang", "text", "summary", "promise"];
  var STORE = "masthead-send-draft";
  var messages = {};
  try { messages = JSON.parse(form.getAttribute("data-messages") || "{}"); } catch (e) { messages = {}; }
  var tokenInput = form.elements.namedItem("csrf_token");
  var button = form.querySelector("button[type=submit]");
  var problems = document.getElementById("send-problems");

  function fill(text, params) {
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return params && params[key] !== undefined ? params[key] : all;
    });
  }
  function say(error) {
    var local = messages[error.code];
    if (local && local !== "send.error." + error.code) return fill(local, error.params || {});
    return error.message;
  }
  function fetchToken() {
    var url = form.getAttribute("data-token-url");
    if (!url) return;
    fetch(url, {method: "GET", credentials: "omit", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.token) tokenInput.value = data.token; })
      .catch(function () { /* the server will ask to confirm instead */ });
  }
  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (d) { d.classList.remove("has-error"); });
    form.querySelectorAll("[aria-invalid]").forEach(function (i) { i.removeAttribute("aria-invalid"); });
    if (problems) { problems.hidden = true; problems.querySelector("ul").textContent = ""; }
  }
  function showErrors(errors) {
    clearErrors();
    var list = problems ? problems.querySelector("ul") : null;
    var first = null;
    errors.forEach(function (error) {
      var name = error.field === "homepage" ? "form" : error.field;
      var slot = form.querySelector('[data-error-for="' + name + '"]') ||
                 form.querySelector('[data-error-for="form"]');
      var text = say(error);
      if (slot && !slot.textContent) { slot.textContent = text; slot.hidden = false; }
      var input = form.elements.namedItem(name);
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        var box = input.closest(".field");
        if (box) box.classList.add("has-error");
        first = first || input;
      }
      if (list) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#send-" + name;
        link.textContent = text;
        item.appendChild(link);
        list.appendChild(item);
      }
    });
    if (problems && errors.length) { problems.hidden = false; problems.focus(); }
    else if (first) first.focus();
  }
  function check() {
    var errors = [];
    ["name", "title", "text"].forEach(function (name) {
      if (!form.elements.namedItem(name).value.trim()) errors.push({field: name, code: "required", message: name + " is required"});
    });
    var limit = parseInt(form.getAttribute("data-text-bytes"), 10);
    var size = new Blob([form.elements.namedItem("text").value]).size;
    if (limit && size > limit) {
      errors.push({field: "text", code: "too_big", message: "the text is too long",
                   params: {found: Math.ceil(size / 1000), limit: Math.floor(limit / 1000)}});
    }
    if (!form.elements.namedItem("consent").checked) errors.push({field: "consent", code: "consent", message: "please agree"});
    return errors;
  }
  function fields() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "checkbox") data[el.name] = el.checked;
      else data[el.name] = el.value;
    });
    return data;
  }
  function save() {
    try {
      var data = {};
      KEEP.forEach(function (name) { data[name] = form.elements.namedItem(name).value; });
      sessionStorage.setItem(STORE, JSON.stringify(data));
    } catch (e) { /* storage may be off: nothing to do */ }
  }
  function restore() {
    try {
      var data = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (!data) return;
      KEEP.forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (el && !el.value && data[name]) el.value = data[name];
      });
    } catch (e) { /* a broken draft is ignored */ }
  }
  function busy(on) {
    button.disabled = on;
    if (on) { button.setAttribute("data-label", button.textContent); button.textContent = button.getAttribute("data-sending"); }
    else if (button.getAttribute("data-label")) button.textContent = button.getAttribute("data-label");
  }
  function send(event) {
    event.preventDefault();
    var local = check();
    if (local.length) { showErrors(local); return; }
    busy(true);
    fetch(form.action, {method: "POST", credentials: "omit",
                        headers: {"Content-Type": "application/json", "Accept": "application/json"},
                        body: JSON.stringify(fields())})
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return {status: r.status, body: body}; });
      })
      .then(function (answer) {
        if (answer.status === 201 && answer.body.receipt_url) {
          try { sessionStorage.removeItem(STORE); } catch (e) { /* ignore */ }
          window.location.assign(answer.body.receipt_url);
          return;
        }
        busy(false);
        if (answer.body.token) tokenInput.value = answer.body.token;
        if (answer.status === 422 && answer.body.errors) { showErrors(answer.body.errors); return; }
        var code = answer.status === 429 ? "rate" : "network";
        showErrors([{field: "form", code: code, message: answer.body.error || "the text could not be sent"}]);
      })
      .catch(function () {
        busy(false);
        showErrors([{field: "form", code: "network", message: "the text could not be sent; check your connection"}]);
      });
  }
  /* The promise picker offers only the promises of the handle typed above (and open topics). */
  function pickPromises() {
    var handle = form.elements.namedItem("handle").value.trim().toLowerCase();
    var select = form.elements.namedItem("promise");
    if (!select || !select.querySelectorAll) return;
    var shown = 0;
    select.querySelectorAll("option[data-by]").forEach(function (option) {
      var mine = handle !== "" && (" " + option.getAttribute("data-by") + " ").indexOf(" " + handle + " ") >= 0;
      option.hidden = !mine; option.disabled = !mine;
      if (mine) shown += 1;
      if (!mine && option.selected) select.value = "";
    });
    var group = select.querySelector('optgroup[data-group="promises"]');
    if (group) group.hidden = shown === 0;
  }
  /* A personal submission link (/send/#handle=anna&key=...) fills in the handle and its key. */
  function fromLink() {
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("key=") < 0) return;
    hash.split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var el = form.elements.namedItem(decodeURIComponent(parts[0]));
      if (el && (parts[0] === "key" || parts[0] === "handle")) el.value = decodeURIComponent(parts[1] || "");
    });
    try { history.replaceState(null, "", window.location.pathname + window.location.search); } catch (e) { /* ignore */ }
  }
  form.setAttribute("novalidate", "");
  fromLink();
  restore();
  pickPromises();
  form.elements.namedItem("handle").addEventListener("input", pickPromises);
  if (!tokenInput.value) fetchToken();
  form.addEventListener("input", save);
  form.addEventListener("submit", send);
})();
