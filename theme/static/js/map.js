/*
 * Waystation map: markers, popups, filters and the list beside the map.
 *
 * folium's script (map-setup.js, loaded just before this file) creates the
 * Leaflet map and an empty marker-cluster layer and registers both in
 * window.waystationMaps[key].  This file loads the marker data ONCE (one
 * compact GeoJSON file per language, see waystation/maps/markers.py), then:
 *
 *   - public listings become pins, approximate ones circles of their area
 *     (never a pin: the address is confidential);
 *   - popups and the list are built with textContent only: listing text is
 *     untrusted and never becomes markup;
 *   - the filters (state, service, population, language) narrow markers and
 *     list together; a population filter keeps listings that name no
 *     population ("everyone"), as the browse pages and search do;
 *   - query parameters (states, services, populations, languages, lat, lon,
 *     zoom, center) preset the map: the embed (docs/embedding.md) uses them.
 *
 * Nothing is stored: no cookies, no localStorage, no history entries.
 */
(function () {
  "use strict";

  var app = document.getElementById("map-app");
  if (!app || !window.L) {
    return;
  }
  var registry = window.waystationMaps || {};
  var entry = registry[app.getAttribute("data-map-key")];
  if (!entry) {
    return;
  }
  var map = entry.map;
  var cluster = entry.cluster;
  var PAGE = 50;
  var text = function (name) {
    return app.getAttribute("data-text-" + name) || "";
  };
  var newTab = app.getAttribute("data-new-tab") === "true";
  var fixedState = app.getAttribute("data-state") || "";
  var listingsBase = app.getAttribute("data-listings") || "";
  var form = document.getElementById("map-filters");
  var list = document.getElementById("map-results");
  var listSection = list ? list.closest("section") : null;
  var count = document.getElementById("map-count");
  var more = document.getElementById("map-more");
  var items = [];
  var shown = [];
  var limit = PAGE;
  var terms = { services: [], populations: [] };

  function splitParam(params, name) {
    var value = params.get(name);
    if (!value) {
      return [];
    }
    return value.split(",").map(function (v) {
      return v.trim();
    }).filter(Boolean);
  }

  var params = new URLSearchParams(window.location.search);
  var preset = {
    states: splitParam(params, "states").map(function (s) {
      return s.toUpperCase();
    }),
    services: splitParam(params, "services"),
    populations: splitParam(params, "populations"),
    languages: splitParam(params, "languages")
  };
  // A single preset value also selects it in the matching filter.
  function presetSelect(name, values) {
    var select = form ? form.elements[name] : null;
    if (select && values.length === 1) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === values[0]) {
          select.value = values[0];
          return true;
        }
      }
    }
    return false;
  }

  function listingUrl(id) {
    return listingsBase.replace(/\/$/, "") + "/" + encodeURIComponent(id) + "/";
  }

  function placeText(p) {
    var place = p.c ? p.c + ", " + p.s : p.s;
    if (p.r) {
      return text("approximate").replace("{place}", place);
    }
    return place;
  }

  function link(p) {
    var a = document.createElement("a");
    a.href = listingUrl(p.i);
    a.textContent = p.n;
    if (newTab) {
      a.target = "_blank";
      a.rel = "noopener";
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " " + text("new-tab");
      a.appendChild(note);
    }
    return a;
  }

  function popupContent(p) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var name = document.createElement("p");
    name.className = "map-popup__name";
    name.appendChild(link(p));
    var place = document.createElement("p");
    place.className = "map-popup__place";
    place.textContent = placeText(p);
    box.appendChild(name);
    box.appendChild(place);
    return box;
  }

  function makeLayer(feature) {
    var p = feature.properties;
    var lonlat = feature.geometry.coordinates;
    var latlng = [lonlat[1], lonlat[0]];
    var layer;
    if (p.r) {
      layer = L.circle(latlng, {
        radius: p.r,
        color: "#0b4f9c",
        weight: 2,
        fillOpacity: 0.15
      });
    } else {
      layer = L.marker(latlng, { keyboard: false, title: p.n, alt: p.n });
    }
    layer.bindPopup(function () {
      return popupContent(p);
    });
    return layer;
  }

  function has(list, value) {
    return !!list && list.indexOf(value) !== -1;
  }

  function selected(name) {
    var select = form ? form.elements[name] : null;
    return select ? select.value : "";
  }

  function matches(item) {
    var p = item.p;
    if (fixedState && p.s !== fixedState) {
      return false;
    }
    if (preset.states.length && !has(preset.states, p.s)) {
      return false;
    }
    if (preset.services.length && !preset.services.some(function (t) {
      return has(p.v, terms.services.indexOf(t));
    })) {
      return false;
    }
    if (preset.populations.length && p.p && !preset.populations.some(function (t) {
      return has(p.p, terms.populations.indexOf(t));
    })) {
      return false;
    }
    if (preset.languages.length && !preset.languages.some(function (c) {
      return has(p.l, c);
    })) {
      return false;
    }
    var state = selected("state");
    if (state && p.s !== state) {
      return false;
    }
    var service = selected("service");
    if (service && !has(p.v, terms.services.indexOf(service))) {
      return false;
    }
    var population = selected("population");
    if (population && p.p && !has(p.p, terms.populations.indexOf(population))) {
      return false;
    }
    var language = selected("language");
    if (language && !has(p.l, language)) {
      return false;
    }
    return true;
  }

  function renderList() {
    if (!list) {
      return;
    }
    var fragment = document.createDocumentFragment();
    shown.slice(0, limit).forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("data-id", item.p.i);
      li.appendChild(link(item.p));
      var place = document.createElement("span");
      place.className = "map-place";
      place.textContent = " " + placeText(item.p) + " ";
      li.appendChild(place);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary map-show";
      button.textContent = text("show");
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = ": " + item.p.n;
      button.appendChild(label);
      button.addEventListener("click", function () {
        showOnMap(item);
      });
      li.appendChild(button);
      fragment.appendChild(li);
    });
    list.textContent = "";
    list.appendChild(fragment);
    if (more) {
      more.hidden = shown.length <= limit;
    }
    if (count) {
      count.textContent = shown.length
        ? text("count").replace("{shown}", shown.length).replace("{total}", items.length)
        : text("none");
    }
  }

  function showOnMap(item) {
    var done = false;
    var open = function () {
      if (!done && map.hasLayer(item.layer)) {
        done = true;
        item.layer.openPopup();
      }
    };
    if (item.p.r) {
      // An area: show all of it (clustering stops at that zoom), then its popup.
      map.once("moveend", function () {
        window.setTimeout(open, 50);
      });
      map.fitBounds(item.layer.getLatLng().toBounds(item.p.r * 2.2), { maxZoom: 14 });
      window.setTimeout(open, 600);
    } else {
      cluster.zoomToShowLayer(item.layer, open);
    }
    var container = map.getContainer();
    if (container.scrollIntoView) {
      container.scrollIntoView({ block: "nearest" });
    }
  }

  function apply(fit) {
    shown = items.filter(matches);
    limit = PAGE;
    cluster.clearLayers();
    cluster.addLayers(shown.map(function (item) {
      return item.layer;
    }));
    renderList();
    if (fit && shown.length) {
      var bounds = L.latLngBounds(shown.map(function (item) {
        return item.layer.getLatLng();
      }));
      map.fitBounds(bounds.pad(0.05), { maxZoom: 12 });
    }
  }

  function initialView() {
    var lat = parseFloat(params.get("lat"));
    var lon = parseFloat(params.get("lon"));
    var center = params.get("center");
    if (center && center.indexOf(",") > 0) {
      lat = parseFloat(center.split(",")[0]);
      lon = parseFloat(center.split(",")[1]);
    }
    var zoom = parseInt(params.get("zoom"), 10);
    if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      map.setView([lat, lon], isFinite(zoom) ? Math.max(2, Math.min(18, zoom)) : 10);
      return false;
    }
    if (isFinite(zoom)) {
      map.setZoom(Math.max(2, Math.min(18, zoom)));
    }
    // Fit the listings when the embed narrows them to some states.
    return preset.states.length > 0;
  }

  function start(data) {
    terms = data.terms || terms;
    items = (data.features || []).map(function (feature) {
      return { p: feature.properties, layer: makeLayer(feature) };
    });
    ["states", "services", "populations", "languages"].forEach(function (name) {
      var field = { states: "state", services: "service", populations: "population",
                    languages: "language" }[name];
      if (presetSelect(field, preset[name])) {
        preset[name] = [];
      }
    });
    if (form) {
      form.hidden = false;
      form.addEventListener("change", function () {
        apply(false);
      });
      form.addEventListener("reset", function () {
        window.setTimeout(function () {
          apply(false);
        }, 0);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
    }
    if (listSection) {
      listSection.hidden = false;
    }
    if (more) {
      more.addEventListener("click", function () {
        var first = limit;
        limit += PAGE;
        renderList();
        var next = list.children[first];
        var target = next ? next.querySelector("a") : null;
        if (target) {
          target.focus();
        }
      });
    }
    var fit = initialView();
    apply(fit);
    app.setAttribute("data-ready", "true");
  }

  fetch(app.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(start)
    .catch(function () {
      if (count) {
        count.textContent = text("error");
      }
      app.setAttribute("data-ready", "error");
    });
})();
