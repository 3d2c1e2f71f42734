/*
 * "Embed this map": builds the <iframe> snippet from the chosen filters and
 * shows it live in the preview frame.  The parameters are documented in
 * docs/embedding.md.
 */
(function () {
  "use strict";

  var form = document.getElementById("embed-builder");
  var code = document.getElementById("embed-code");
  var frame = document.getElementById("embed-preview-frame");
  if (!form || !code || !frame) {
    return;
  }
  var paths = JSON.parse(form.getAttribute("data-paths") || "{}");
  var title = form.getAttribute("data-title") || "";

  function values(name) {
    var select = form.elements[name];
    return Array.prototype.filter.call(select.options, function (o) {
      return o.selected;
    }).map(function (o) {
      return o.value;
    });
  }

  function number(name, min, max) {
    var value = parseFloat(form.elements[name].value);
    return isFinite(value) && value >= min && value <= max ? String(value) : "";
  }

  function escapeAttribute(value) {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }

  // The site's root: this page is <root>/<lang prefix>embed/.
  function siteRoot() {
    var here = window.location.href.split(/[?#]/)[0];
    var lang = document.documentElement.lang;
    var own = paths[lang] ? paths[lang].replace(/map\/$/, "") : "embed/";
    var index = here.lastIndexOf(own);
    return index >= 0 ? here.slice(0, index) : here;
  }

  function update() {
    var params = new URLSearchParams();
    ["states", "services", "populations", "languages"].forEach(function (name) {
      var chosen = values(name);
      if (chosen.length) {
        params.set(name, chosen.join(","));
      }
    });
    var lat = number("lat", -90, 90);
    var lon = number("lon", -180, 180);
    var zoom = number("zoom", 3, 18);
    if (lat && lon) {
      params.set("lat", lat);
      params.set("lon", lon);
    }
    if (zoom) {
      params.set("zoom", zoom);
    }
    var lang = form.elements.lang.value;
    var query = params.toString().replace(/%2C/g, ",");
    var path = (paths[lang] || paths[Object.keys(paths)[0]]) + (query ? "?" + query : "");
    var height = number("height", 200, 4000) || "640";
    var src = siteRoot() + path;
    code.value =
      '<iframe src="' + escapeAttribute(src) + '" title="' + escapeAttribute(title) +
      '" width="100%" height="' + height + '" loading="lazy" referrerpolicy="no-referrer"' +
      ' sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox' +
      ' allow-top-navigation-by-user-activation"></iframe>';
    frame.height = height;
    if (frame.getAttribute("src") !== src) {
      frame.setAttribute("src", src);
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  update();
})();
