/*
 * The embeddable map's extras (/embed/map/):
 *
 *   - ?lang=es on the default-language embed moves to that language's embed,
 *     keeping the other parameters (location.replace: no history entry);
 *   - inside a partner's <iframe>, the quick-exit button leaves the partner's
 *     whole page too (window.top), not just the frame, when the browser allows
 *     it (the snippet's sandbox includes allow-top-navigation-by-user-activation).
 *     quick-exit.js still blanks the frame itself;
 *   - on any quick exit (button or Shift pressed three times), a message to the
 *     partner page: {waystation: "quick-exit", url: <neutral site>}.  A partner
 *     page that includes js/embed-quick-exit.js (docs/embedding.md) then blanks
 *     itself and replaces its own address, so the whole page leaves;
 *   - several preset states (?states=IL,IN) are named in the state filter instead
 *     of "Any state" (js/map.js keeps the map to them; one state is selected).
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

  if (main) {
    var states = (new URLSearchParams(window.location.search).get("states") || "")
      .split(",")
      .map(function (code) {
        return code.trim().toUpperCase();
      })
      .filter(Boolean);
    var select = document.getElementById("map-filter-state");
    var template = main.getAttribute("data-text-preset-states") || "";
    if (select && states.length > 1 && template) {
      var names = [];
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value && states.indexOf(option.value) >= 0) {
          names.push(option.textContent);
        }
      });
      if (names.length && select.options[0] && select.options[0].value === "") {
        select.options[0].textContent = template.replace("{states}", names.join(", "));
      }
    }
  }

  window.addEventListener("waystation:quick-exit", function (event) {
    if (window.parent === window) {
      return;
    }
    try {
      window.parent.postMessage({ waystation: "quick-exit", url: String(event.detail || "") }, "*");
    } catch (error) {
      /* The frame still leaves (quick-exit.js). */
    }
  });

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
