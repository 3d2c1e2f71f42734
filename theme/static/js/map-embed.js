/*
 * The embeddable map's extras (/embed/map/):
 *
 *   - ?lang=es on the default-language embed moves to that language's embed,
 *     keeping the other parameters (location.replace: no history entry);
 *   - inside a partner's <iframe>, the quick-exit button leaves the partner's
 *     whole page too (window.top), not just the frame, when the browser allows
 *     it (the snippet's sandbox includes allow-top-navigation-by-user-activation).
 *     quick-exit.js still blanks the frame itself.
 */
(function () {
  "use strict";

  var main = document.querySelector("main[data-lang-paths]");
  if (main) {
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("lang");
    var current = main.getAttribute("data-lang");
    var paths = {};
    try {
      paths = JSON.parse(main.getAttribute("data-lang-paths"));
    } catch (error) {
      paths = {};
    }
    if (wanted && wanted !== current && Object.prototype.hasOwnProperty.call(paths, wanted)) {
      params.delete("lang");
      var root = window.location.pathname.replace(new RegExp(paths[current] + "$"), "");
      var query = params.toString();
      window.location.replace(root + paths[wanted] + (query ? "?" + query : ""));
      return;
    }
  }

  var exit = document.getElementById("quick-exit");
  if (exit && window.top !== window.self) {
    exit.addEventListener(
      "click",
      function () {
        try {
          window.top.location.replace(exit.href);
        } catch (error) {
          /* Not allowed by the partner's sandbox: quick-exit.js still blanks this frame. */
        }
      },
      true
    );
  }
})();
