/* The coverage page's map of the gaps (/coverage/).  Without JavaScript the page's
 * tables show the same figures and this map stays hidden.  Loads the site's own
 * Leaflet (data-leaflet), then the page's data (data-src: coverage/regions.json, from
 * this site), and draws one circle per ZIP3 region with a gap in the chosen kind of
 * help over the configured tiles (data-tiles: the only other server any page asks).
 * Every text is set with textContent: nothing from the data is parsed as HTML. */
(function () {
  "use strict";
  var app = document.getElementById("coverage-map-app");
  if (!app) { return; }
  var box = document.getElementById("coverage-map");
  var choice = app.querySelector(".coverage-map-choice");
  var select = document.getElementById("coverage-map-group");
  var status = document.getElementById("coverage-map-status");
  var map = null;
  var layer = null;
  var data = null;

  function fail() {
    status.textContent = app.getAttribute("data-text-error");
    box.hidden = true;
    choice.hidden = true;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function draw() {
    if (!map || !data) { return; }
    var group = select.value;
    if (layer) { layer.remove(); }
    layer = window.L.layerGroup();
    var template = app.getAttribute("data-text-region");
    var miles = app.getAttribute("data-reach");
    data.regions.forEach(function (region) {
      // [state, zip3, lat, lon, weight, gaps {group: weight}, no_help {group: weight}]
      var gap = region[5][group] || 0;
      if (!gap) { return; }
      var weight = region[4] || 1;
      var none = region[6][group] || 0;
      var share = Math.min(1, gap / weight);
      var marker = window.L.circleMarker([region[2], region[3]], {
        radius: 2 + 6 * share,
        weight: 1,
        color: "#5a1a1a",
        fillColor: none > 0 ? "#b2182b" : "#ef8a62",
        fillOpacity: 0.35 + 0.5 * share
      });
      var text = document.createElement("span");
      text.textContent = fill(template, {
        zip3: region[1], state: region[0], gap: Math.round(gap),
        weight: Math.round(weight), miles: miles, none: Math.round(none)
      });
      marker.bindPopup(text);
      marker.addTo(layer);
    });
    layer.addTo(map);
  }

  function start() {
    var L = window.L;
    box.hidden = false;
    choice.hidden = false;
    map = L.map(box, { worldCopyJump: true }).setView(
      [parseFloat(app.getAttribute("data-lat")), parseFloat(app.getAttribute("data-lon"))],
      parseInt(app.getAttribute("data-zoom"), 10) || 4
    );
    L.tileLayer(app.getAttribute("data-tiles"), {
      attribution: app.getAttribute("data-attribution"),
      maxZoom: parseInt(app.getAttribute("data-max-zoom"), 10) || 19
    }).addTo(map);
    fetch(app.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (json) { data = json; draw(); })
      .catch(fail);
    select.addEventListener("change", draw);
  }

  if (!window.fetch) { return; }
  var script = document.createElement("script");
  script.src = app.getAttribute("data-leaflet");
  script.onload = function () {
    if (window.L) { start(); } else { fail(); }
  };
  script.onerror = fail;
  document.body.appendChild(script);
}());
