/* masthead: click-to-load embeds (site/embeds.py). Nothing is requested from the embed's host
   until the reader presses its button; without this script the link to it stays the way in. */
(function (doc) {
  "use strict";
  function load(box) {
    var frame = doc.createElement("iframe");
    frame.src = box.getAttribute("data-embed-src");
    frame.title = box.getAttribute("data-embed-title") || box.getAttribute("data-embed-host");
    frame.setAttribute("allow", "fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    box.replaceChildren(frame);
    box.classList.add("embed-loaded");
    frame.focus();
  }
  function setUp() {
    var boxes = doc.querySelectorAll(".embed[data-embed-src]");
    for (var i = 0; i < boxes.length; i++) {
      var button = boxes[i].querySelector(".embed-load");
      if (!button) continue;
      button.hidden = false;
      button.addEventListener("click", load.bind(null, boxes[i]));
    }
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})(document);
