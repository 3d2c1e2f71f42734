/*
 * For partner sites that embed the directory's map (docs/embedding.md): the map's
 * quick exit (its button, or Shift pressed three times inside the map) leaves the
 * partner's whole page, not just the frame.  Include it once in the page:
 *
 *   <script src="https://DIRECTORY.example.org/theme/js/embed-quick-exit.js"
 *           referrerpolicy="no-referrer" defer></script>
 *
 * It listens for the message the map sends on quick exit, only from the origin it
 * was loaded from, then blanks the page and replaces it in the tab's history with
 * the neutral site (location.replace), so Back does not return to it.  It sets no
 * cookie, stores nothing and loads nothing.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!origin || event.origin !== origin || !data || data.waystation !== "quick-exit") {
      return;
    }
    var url = String(data.url || "");
    if (!/^https?:\/\//i.test(url)) {
      url = "about:blank";
    }
    try {
      document.title = "";
      document.body.innerHTML = "";
      document.documentElement.style.background = "#fff";
    } catch (ignored) {
      /* Leave as fast as possible whatever happened above. */
    }
    window.location.replace(url);
  });
})();
