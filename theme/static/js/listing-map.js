/* The listing page's map, loaded only when the visitor asks for it.
 * Without JavaScript the button stays hidden and the address is above.
 * Loads Leaflet's stylesheet, then Leaflet, then the map script of the page's kind of
 * map, which draws the point given by the slot's data-lat, data-lon and data-radius
 * (all from this site; the CSP allows nothing else). */
(function () {
  "use strict";
  var slot = document.querySelector(".listing-map-slot");
  if (!slot) { return; }
  var button = slot.querySelector(".show-map");
  var map = slot.querySelector(".listing-map");
  var note = slot.querySelector(".map-note--privacy");
  if (!button || !map) { return; }

  function load(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    document.body.appendChild(script);
  }

  button.hidden = false;
  if (note) { note.hidden = false; }
  button.addEventListener("click", function () {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = slot.getAttribute("data-css");
    document.head.appendChild(css);
    button.hidden = true;
    map.hidden = false;
    // The map script (one for every listing map of its kind) reads the point here.
    window.waystationListingPoint = {
      lat: parseFloat(slot.getAttribute("data-lat")),
      lon: parseFloat(slot.getAttribute("data-lon")),
      radius: parseFloat(slot.getAttribute("data-radius") || "0")
    };
    load(slot.getAttribute("data-leaflet"), function () {
      load(slot.getAttribute("data-map"), function () {
        map.focus && map.setAttribute("tabindex", "-1");
      });
    });
  });
}());
