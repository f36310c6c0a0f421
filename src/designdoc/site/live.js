/* designdoc serve: reload this page after each good rebuild; show a failed rebuild's error.
   The server adds this script to every page it serves (it is not part of a built site). */
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me ? me.getAttribute("data-generation") : null;
  var box = null;

  function show(message) {
    if (!message) {
      if (box) box.remove();
      box = null;
      return;
    }
    if (!box) {
      box = document.createElement("pre");
      box.className = "dd-live-error";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = (generation === "0" ? "The build failed.\n" : "Rebuild failed; showing the last good build.\n") + message;
  }

  var source = new EventSource("/_designdoc-live/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (!state.error && String(state.generation) !== generation) {
      source.close();
      location.reload();
      return;
    }
    show(state.error);
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
