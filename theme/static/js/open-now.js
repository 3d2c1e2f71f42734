/* "Open now" on a listing page, decided in the visitor's browser when they look.
 *
 * The page carries the hours as data (never a verdict computed at build time):
 *   <p class="open-now" data-hours='{"tz":"America/Chicago","always":false,
 *      "hours":[["mon","09:00","17:00",false], ...]}'
 *      data-open-text="Open now" data-closed-text="Closed now" hidden></p>
 * This script reads the provider's local day and time with Intl (the provider's
 * time zone, not the visitor's), then shows the translated text.  Without
 * JavaScript the paragraph stays hidden and the hours table says it all.
 */
(function () {
  "use strict";
  var DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

  function minutes(hhmm) {
    var parts = hhmm.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function localNow(tz) {
    var parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date());
    var found = {};
    parts.forEach(function (p) { found[p.type] = p.value; });
    var day = found.weekday.slice(0, 3).toLowerCase();
    return { day: day, minute: (parseInt(found.hour, 10) % 24) * 60 + parseInt(found.minute, 10) };
  }

  function isOpen(data, now) {
    if (data.always) { return true; }
    var today = DAYS.indexOf(now.day);
    var yesterday = DAYS[(today + 6) % 7];
    return data.hours.some(function (h) {
      var opens = minutes(h[1]), closes = minutes(h[2]), overnight = h[3];
      if (h[0] === now.day) {
        if (overnight) { return now.minute >= opens; }
        return now.minute >= opens && now.minute < closes;
      }
      return overnight && h[0] === yesterday && now.minute < closes;
    });
  }

  function update(el) {
    var data;
    try {
      data = JSON.parse(el.getAttribute("data-hours"));
    } catch (e) {
      return;
    }
    var open = isOpen(data, localNow(data.tz));
    el.textContent = el.getAttribute(open ? "data-open-text" : "data-closed-text");
    el.classList.add(open ? "open-now--open" : "open-now--closed");
    el.hidden = false;
  }

  function run() {
    Array.prototype.forEach.call(document.querySelectorAll(".open-now[data-hours]"), update);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
