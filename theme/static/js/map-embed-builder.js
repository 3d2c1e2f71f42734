/*
 * "Embed this map": builds the <iframe> snippet (and the line of the quick-exit
 * script for the partner's page) from the chosen filters, and shows the map live
 * in the preview frame.  The parameters are documented in docs/embedding.md.
 *
 * Opened with the map's parameters (/embed/?states=IL,IN&zoom=6, the query of a
 * snippet already in use), the form starts with them chosen.  The snippet's title
 * is in the language chosen for the map (data-titles), and the zoom range is the
 * one the map accepts (data-zoom-min, data-zoom-max: waystation/maps/pages.py).
 */
(function () {
  "use strict";

  var form = document.getElementById("embed-builder");
  var code = document.getElementById("embed-code");
  var frame = document.getElementById("embed-preview-frame");
  if (!form || !code || !frame) {
    return;
  }
  function json(name) {
    try {
      return JSON.parse(form.getAttribute(name) || "{}");
    } catch (error) {
      return {};
    }
  }
  var paths = json("data-paths");
  var titles = json("data-titles");
  var zoomMin = parseInt(form.getAttribute("data-zoom-min"), 10);
  var zoomMax = parseInt(form.getAttribute("data-zoom-max"), 10);
  var exitScript = new URL(form.getAttribute("data-exit-script") || "", window.location.href).href;
  var LISTS = ["states", "services", "populations", "languages"];

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

  // The parameters this page was opened with choose the form's starting values.
  function preset() {
    var params = new URLSearchParams(window.location.search);
    LISTS.forEach(function (name) {
      var wanted = (params.get(name) || "").split(",").map(function (v) {
        return v.trim();
      });
      if (name === "states") {
        wanted = wanted.map(function (v) {
          return v.toUpperCase();
        });
      }
      Array.prototype.forEach.call(form.elements[name].options, function (option) {
        if (wanted.indexOf(option.value) >= 0) {
          option.selected = true;
        }
      });
    });
    var center = (params.get("center") || "").split(",");
    var lat = params.get("lat") || (center.length === 2 ? center[0] : "");
    var lon = params.get("lon") || (center.length === 2 ? center[1] : "");
    var fields = { lat: lat, lon: lon, zoom: params.get("zoom") || "", height: params.get("height") };
    Object.keys(fields).forEach(function (name) {
      if (fields[name]) {
        form.elements[name].value = fields[name].trim();
      }
    });
    var lang = params.get("lang");
    if (lang && Object.prototype.hasOwnProperty.call(paths, lang)) {
      form.elements.lang.value = lang;
    }
  }

  function update() {
    var params = new URLSearchParams();
    LISTS.forEach(function (name) {
      var chosen = values(name);
      if (chosen.length) {
        params.set(name, chosen.join(","));
      }
    });
    var lat = number("lat", -90, 90);
    var lon = number("lon", -180, 180);
    var zoom = number("zoom", zoomMin, zoomMax);
    if (lat && lon) {
      params.set("lat", lat);
      params.set("lon", lon);
    }
    if (zoom) {
      params.set("zoom", zoom);
    }
    var lang = form.elements.lang.value;
    if (!Object.prototype.hasOwnProperty.call(paths, lang)) {
      lang = Object.keys(paths)[0];
    }
    var query = params.toString().replace(/%2C/g, ",");
    var path = paths[lang] + (query ? "?" + query : "");
    var height = number("height", 200, 4000) || "640";
    var src = siteRoot() + path;
    code.value =
      '<iframe src="' + escapeAttribute(src) + '" title="' + escapeAttribute(titles[lang] || "") +
      '" width="100%" height="' + height + '" loading="lazy" referrerpolicy="no-referrer"' +
      ' sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox' +
      ' allow-top-navigation-by-user-activation"></iframe>\n' +
      '<script src="' + escapeAttribute(exitScript) + '" referrerpolicy="no-referrer" defer>' +
      "</" + "script>";
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
  preset();
  update();
})();
