// Forms posted to the send-text service (the accreditation form): fetch the form's token
// before it is sent. Without JavaScript the service answers the first post with the form
// again and a fresh token (docs/send-text.md).
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-token-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var field = form.querySelector("input[name=csrf_token]");
    if (!field || field.value) { return; }
    fetch(form.getAttribute("data-token-url"), { credentials: "omit", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.token) { field.value = data.token; } })
      .catch(function () {});
  });
}());
