/*
 * Waystation search: full text, filters and "near me", all in the browser.
 *
 * Nothing leaves the device: the ZIP code or city typed (or the browser's position,
 * turned into the nearest ZIP code) is looked up in small files this site ships
 * (search-data/zip/, search-data/city/), listings come from search-data/<lang>/rows/
 * (what a result shows at once) and summaries/ (filled in after), and words are matched
 * by Pagefind's index in /pagefind/.  The page's head asked for most of these already
 * (search.html; docs/search.md, "Loading").  The search
 * lives in the page address only (?near=60601&need=legal-help…): no cookies, no
 * storage.  The address is rewritten in place (history.replaceState), so a whole
 * search session is one history entry, and a place found by "Use my location" is
 * never put in it (Back after a quick exit never shows a search: docs/safety.md).
 *
 * Plain ES2017, no framework.  Listing text is untrusted: it only ever reaches the
 * page through textContent and attribute setters, never as HTML.
 * See docs/search.md.  Owner: search (issue 6).
 */
(function () {
  "use strict";

  var app = document.getElementById("search-app");
  var messagesNode = document.getElementById("search-messages");
  if (!app || !messagesNode || !window.fetch || !window.history.replaceState || !window.URL) {
    return;
  }

  // Without JavaScript the page shows its <noscript> browse list instead of the form.
  app.hidden = false;
  var M = JSON.parse(messagesNode.textContent);
  var LANG = app.getAttribute("data-lang") || "en";
  var ROOT = new URL(app.getAttribute("data-root") || "/", window.location.href);
  var DATA = new URL(app.getAttribute("data-data") || "search-data/", window.location.href);
  var PAGEFIND = new URL(app.getAttribute("data-pagefind") || "pagefind/pagefind.js", window.location.href);
  var PAGE_SIZE = parseInt(app.getAttribute("data-page-size"), 10) || 20;
  var EARTH_RADIUS_KM = 6371.0088;
  var KM_PER_MILE = 1.609344;
  // A word search without a place loads the rows of the states it matched, up to these.
  var MAX_TEXT_SHARDS = 8;
  var MAX_TEXT_ROWS = 3000;
  // A place search whose nearest result is farther than FAR_MILES says so, with how many
  // are within WIDER_MILES and a one-tap way to the listings serving the whole state.
  var FAR_MILES = 25;
  var WIDER_MILES = 100;
  // "need" is a service group (legal help = civil + immigration + criminal): any of its terms.
  var GROUPS = ["need", "service", "population", "language", "feature", "type", "cost"];
  var TOGGLES = ["open", "h24"];

  var form = document.getElementById("search-form");
  var nearInput = document.getElementById("search-near");
  var qInput = document.getElementById("search-q");
  var stateSelect = document.getElementById("search-state");
  var needSelect = document.getElementById("search-need");
  var filtersBox = document.getElementById("search-filters");
  var filtersSummary = document.getElementById("search-filters-summary");
  var geoWrap = document.getElementById("search-geolocate-wrap");
  var geoButton = document.getElementById("search-geolocate");
  var resultsBox = document.getElementById("search-results");
  var heading = document.getElementById("search-results-heading");
  var statusNode = document.getElementById("search-status");
  var messageNode = document.getElementById("search-message");
  var listNear = document.getElementById("search-list-near");
  var moreNear = document.getElementById("search-more-near");
  var areaHeading = document.getElementById("search-area-heading");
  var listArea = document.getElementById("search-list-area");
  var moreArea = document.getElementById("search-more-area");

  var cache = new Map();
  var runCounter = 0;
  var pagefindPromise = null;
  var current = null; // {near: [...rows], area: [...rows], shownNear, shownArea, loc}
  // The ZIP code found by "Use my location": searched, but never put in the address.
  var geoZip = "";

  // ---- small helpers -------------------------------------------------------------

  function fmt(key, vars) {
    var text = M[key] || key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }

  function stateName(code) {
    return (M.states && M.states[code]) || code;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // Buttons are styled display:inline-block, which beats [hidden]: hide their paragraph.
  function setHidden(button, hidden) {
    button.hidden = hidden;
    button.parentNode.hidden = hidden;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function mark(name) {
    if (window.performance && performance.mark) {
      try {
        performance.mark(name);
      } catch (e) {
        /* marks are only for the benchmark */
      }
    }
  }

  function dataUrl(path) {
    var url = new URL(path, DATA);
    if (manifestVersion) url.searchParams.set("v", manifestVersion);
    return url.href;
  }

  // Unversioned addresses, which the page's head can preload before the manifest (and
  // its version) arrives: place files (zip/, city/: from the ZIP code gazetteer, not
  // from the listings) and rows (which carry their version: loadRows checks it).
  function plainUrl(path) {
    return new URL(path, DATA).href;
  }

  var manifestVersion = "";

  function fetchJSON(url, reload) {
    if (reload) cache.delete(url);
    if (!cache.has(url)) {
      var options = { credentials: "same-origin" };
      if (reload) options.cache = "no-cache";
      var promise = fetch(url, options).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
        return response.json();
      });
      promise.catch(function () {
        cache.delete(url); // let a later search try again
      });
      cache.set(url, promise);
    }
    return cache.get(url);
  }

  var manifestPromise = null;
  // reload: ask the site again (the rows are of another version than the manifest).
  function manifest(reload) {
    if (!manifestPromise || reload) {
      // The page's head asked for it already (a preload): this fetch takes that response.
      manifestPromise = fetch(new URL("manifest.json", DATA).href, {
        credentials: "same-origin",
        cache: reload ? "no-cache" : "default",
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          manifestVersion = data.version || "";
          return data;
        });
      manifestPromise.catch(function () {
        manifestPromise = null;
      });
    }
    return manifestPromise;
  }

  function haversineKm(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180;
    var dphi = (lat2 - lat1) * rad;
    var dlmb = (lon2 - lon1) * rad;
    var a =
      Math.pow(Math.sin(dphi / 2), 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin(dlmb / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function normalizeName(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "");
  }

  // ---- the search's state: the page address <-> the form ------------------------

  // The search in the address: its query (?near=…), or its fragment (#near=…) when the
  // home page's form sent it there (the prefetched search page is reused only under an
  // address without a query: docs/search.md, "Loading").
  function addressQuery() {
    if (window.location.search.length > 1) return window.location.search;
    var fragment = window.location.hash.slice(1);
    return fragment.indexOf("=") !== -1 ? fragment : "";
  }

  function stateFromUrl() {
    var params = new URLSearchParams(addressQuery());
    var state = {
      q: (params.get("q") || "").trim().slice(0, 120),
      near: (params.get("near") || "").trim().slice(0, 80),
      state: (params.get("state") || "").trim().toUpperCase(),
    };
    GROUPS.forEach(function (group) {
      state[group] = params.getAll(group).filter(Boolean);
    });
    TOGGLES.forEach(function (name) {
      state[name] = params.get(name) === "1";
    });
    if (state.state && !(M.states && M.states[state.state])) state.state = "";
    return state;
  }

  function stateFromForm() {
    var data = new FormData(form);
    var typed = String(data.get("near") || "").trim();
    var state = {
      q: String(data.get("q") || "").trim(),
      near: typed || geoZip,
      nearFromDevice: !typed && Boolean(geoZip),
      state: String(data.get("state") || ""),
    };
    GROUPS.forEach(function (group) {
      state[group] = data.getAll(group).map(String).filter(Boolean);
    });
    TOGGLES.forEach(function (name) {
      state[name] = data.get(name) === "1";
    });
    return state;
  }

  function queryString(state) {
    var params = new URLSearchParams();
    if (state.near && !state.nearFromDevice) params.set("near", state.near);
    if (state.q) params.set("q", state.q);
    if (state.state) params.set("state", state.state);
    GROUPS.forEach(function (group) {
      state[group].forEach(function (value) {
        params.append(group, value);
      });
    });
    TOGGLES.forEach(function (name) {
      if (state[name]) params.set(name, "1");
    });
    var text = params.toString();
    return text ? "?" + text : window.location.pathname;
  }

  function fillForm(state) {
    nearInput.value = state.near;
    qInput.value = state.q;
    stateSelect.value = state.state;
    needSelect.value = "";
    if (state.need.length && needSelect.querySelector('option[value="' + CSS.escape(state.need[0]) + '"]')) {
      needSelect.value = state.need[0];
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      var value = state[box.name];
      box.checked = Array.isArray(value) ? value.indexOf(box.value) !== -1 : Boolean(value);
    });
    updateFiltersSummary();
  }

  // "Filters (2 selected)": the disclosure stays closed unless opened, so it never
  // pushes the results down; its summary says how many filters are on.
  function updateFiltersSummary() {
    var n = form.querySelectorAll("#search-filters input[type=checkbox]:checked").length;
    filtersSummary.textContent = n ? fmt(n === 1 ? "filters_one" : "filters_other", { n: n }) : M.filters_none;
  }

  // ---- where: ZIP code, "City, ST", or the browser's position ------------------

  function stateCode(text) {
    var clean = text.trim().replace(/\.$/, "");
    var upper = clean.toUpperCase();
    if (M.states && Object.prototype.hasOwnProperty.call(M.states, upper)) return upper;
    var key = normalizeName(clean);
    var found = "";
    Object.keys(M.states || {}).forEach(function (code) {
      if (normalizeName(M.states[code]) === key) found = code;
    });
    return found;
  }

  function parseLocation(text) {
    var t = text.trim();
    var zip = /^(\d{5})(?:-?\d{4})?$/.exec(t);
    if (zip) return { kind: "zip", zip: zip[1] };
    if (/^[\d\s-]+$/.test(t)) return { error: "location_format", vars: { text: t } };
    var city = "";
    var st = "";
    var comma = t.lastIndexOf(",");
    if (comma !== -1) {
      city = t.slice(0, comma).trim();
      st = stateCode(t.slice(comma + 1));
      if (city && !st) return { error: "location_format", vars: { text: t } };
    } else {
      var words = t.split(/\s+/);
      // "Chicago IL", "Salt Lake City Utah", "Las Cruces New Mexico"
      for (var take = Math.min(3, words.length - 1); take >= 1 && !st; take--) {
        var code = stateCode(words.slice(words.length - take).join(" "));
        if (code) {
          st = code;
          city = words.slice(0, words.length - take).join(" ");
        }
      }
      if (!st) {
        if (!/[a-z]/i.test(t) || normalizeName(t).length < 2) {
          return { error: "location_format", vars: { text: t } };
        }
        return { error: "city_no_state", vars: { city: t } };
      }
    }
    if (!normalizeName(city)) return { error: "location_format", vars: { text: t } };
    return { kind: "city", city: city, state: st };
  }

  function cityShard(state, key) {
    var first = /^[a-z]/.test(key) ? key.charAt(0) : "0";
    return "city/" + state.toLowerCase() + "-" + first + ".json";
  }

  async function resolveLocation(parsed) {
    if (parsed.kind === "zip") {
      var shard = await fetchJSON(plainUrl("zip/" + parsed.zip.slice(0, 3) + ".json"));
      var entry = shard[parsed.zip];
      if (!entry) return { error: "zip_unknown", vars: { zip: parsed.zip } };
      return {
        lat: entry[0],
        lon: entry[1],
        state: entry[2],
        counties: entry[4] ? [entry[4]] : [],
        label: parsed.zip + " (" + entry[3] + ", " + entry[2] + ")",
      };
    }
    var key = normalizeName(parsed.city);
    var cities = await fetchJSON(plainUrl(cityShard(parsed.state, key)));
    var city = cities[key];
    if (!city) {
      return { error: "city_unknown", vars: { city: parsed.city, state: stateName(parsed.state) } };
    }
    return {
      lat: city[1],
      lon: city[2],
      state: parsed.state,
      counties: city[3] || [],
      label: city[0] + ", " + parsed.state,
    };
  }

  async function nearestZip(lat, lon) {
    var index = await fetchJSON(plainUrl("zip/index.json"));
    var margin = 0.3;
    var prefixes = Object.keys(index).filter(function (prefix) {
      var box = index[prefix];
      return (
        lat >= box[0] - margin && lat <= box[2] + margin && lon >= box[1] - margin && lon <= box[3] + margin
      );
    });
    if (!prefixes.length) return null;
    var shards = await Promise.all(
      prefixes.map(function (prefix) {
        return fetchJSON(plainUrl("zip/" + prefix + ".json"));
      })
    );
    var best = null;
    var bestKm = Infinity;
    shards.forEach(function (shard) {
      Object.keys(shard).forEach(function (zip) {
        var entry = shard[zip];
        var km = haversineKm(lat, lon, entry[0], entry[1]);
        if (km < bestKm) {
          bestKm = km;
          best = zip;
        }
      });
    });
    return bestKm <= 100 ? best : null;
  }

  // ---- words: Pagefind ---------------------------------------------------------

  // search-pagefind.js (a module) defines the loader; it runs after this script (which
  // comes first in the page, so that a place search does not wait for it).
  function pagefindLoader() {
    if (typeof window.waystationLoadPagefind === "function") {
      return Promise.resolve(window.waystationLoadPagefind);
    }
    if (!window.HTMLScriptElement || !("noModule" in HTMLScriptElement.prototype)) {
      return Promise.reject(new Error("no module support"));
    }
    return new Promise(function (resolve, reject) {
      var timer = window.setTimeout(function () {
        reject(new Error("the Pagefind loader did not run"));
      }, 20000);
      document.addEventListener(
        "waystation:pagefind-loader",
        function () {
          window.clearTimeout(timer);
          resolve(window.waystationLoadPagefind);
        },
        { once: true }
      );
    });
  }

  function pagefind() {
    if (!pagefindPromise) {
      pagefindPromise = pagefindLoader().then(function (load) {
        return load(PAGEFIND.href);
      }).then(async function (api) {
        if (api.init) await api.init();
        // Loading the filters makes every search report how many results each shard
        // holds: what a word search without a place needs to know which rows to load.
        await api.filters();
        return api;
      });
      pagefindPromise.catch(function () {
        pagefindPromise = null;
      });
    }
    return pagefindPromise;
  }

  async function textSearch(q) {
    var api = await pagefind();
    var found = await api.search(q);
    var hashes = new Map();
    var prefix = LANG + "_";
    (found.results || []).forEach(function (result, position) {
      var id = String(result.id || "");
      if (id.indexOf(prefix) === 0) id = id.slice(prefix.length);
      hashes.set(id, position);
    });
    var shards = (found.filters && found.filters.shard) || {};
    return { hashes: hashes, shards: shards };
  }

  // ---- listings: rows, filters, counts ------------------------------------------

  // Rows are asked for under a plain address (the page's head preloads them before it
  // can know the version) and carry their version: rows of another version than the
  // manifest (a deploy between the two) make both be asked for again.
  function fetchRows(shardNames, reload) {
    return Promise.all(
      shardNames.map(function (name) {
        return fetchJSON(plainUrl(LANG + "/rows/" + name + ".json"), reload).then(function (data) {
          return { name: name, data: data };
        });
      })
    );
  }

  async function loadRows(man, shardNames) {
    var loaded = await fetchRows(shardNames, false);
    var stale = loaded.some(function (shard) {
      return shard.data.version !== man.version;
    });
    if (stale) {
      man = await manifest(true);
      loaded = await fetchRows(shardNames, true);
    }
    var flags = man.flags;
    var seen = new Set();
    var rows = [];
    loaded.forEach(function (shard) {
      var hours = shard.data.hours;
      shard.data.rows.forEach(function (r, index) {
        if (seen.has(r[0])) return;
        seen.add(r[0]);
        rows.push({
          g: r[0],
          hash: r[1],
          lat: r[2],
          lon: r[3],
          flags: r[4],
          services: r[5],
          populations: r[6],
          features: r[7],
          trafficking: r[8],
          cost: r[9],
          languages: r[10],
          hours: r[11] >= 0 ? hours[r[11]] : null,
          counties: r[12],
          rank: r[13],
          card: r[14],
          shard: shard.name,
          index: index,
          approximate: (r[4] & flags.approximate) !== 0,
        });
      });
    });
    return { man: man, rows: rows };
  }

  function bitOf(list, value) {
    var i = list.indexOf(value);
    return i === -1 ? 0 : 1 << i;
  }

  var clocks = new Map();
  function clockIn(tz, now) {
    var key = tz + "|" + Math.floor(now.getTime() / 60000);
    if (clocks.has(key)) return clocks.get(key);
    var result;
    try {
      var parts = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        weekday: "short",
        hour: "numeric",
        minute: "numeric",
        hourCycle: "h23",
      }).formatToParts(now);
      var get = function (type) {
        var part = parts.filter(function (p) {
          return p.type === type;
        })[0];
        return part ? part.value : "";
      };
      var days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
      result = { day: days.indexOf(get("weekday")), minutes: (parseInt(get("hour"), 10) % 24) * 60 + parseInt(get("minute"), 10) };
    } catch (e) {
      result = { day: (now.getDay() + 6) % 7, minutes: now.getHours() * 60 + now.getMinutes() };
    }
    clocks.set(key, result);
    return result;
  }

  function isOpenNow(row, flags, now) {
    if (row.flags & flags.closed) return false;
    var hours = row.hours;
    if (!hours) return (row.flags & flags.always) !== 0;
    if (hours[1]) return true;
    var clock = clockIn(hours[0], now);
    var today = 1 << clock.day;
    var yesterday = 1 << ((clock.day + 6) % 7);
    return hours[2].some(function (span) {
      var days = span[0];
      var opens = span[1];
      var closes = span[2];
      if (span[3]) {
        return ((days & today) && clock.minutes >= opens) || ((days & yesterday) && clock.minutes < closes);
      }
      return (days & today) !== 0 && clock.minutes >= opens && clock.minutes < closes;
    });
  }

  function makeTests(man, state, now) {
    var terms = man.terms;
    var flags = man.flags;
    function maskOf(list, values) {
      return values.reduce(function (mask, value) {
        return mask | bitOf(list, value);
      }, 0);
    }
    var languageIndexes = state.language
      .map(function (code) {
        return man.languages.indexOf(code);
      })
      .filter(function (i) {
        return i !== -1;
      });
    var costIndexes = state.cost.map(function (value) {
      return terms.cost.indexOf(value);
    });
    var needTerms = [];
    state.need.forEach(function (group) {
      needTerms = needTerms.concat((M.groups && M.groups[group]) || []);
    });
    var tests = {
      need: { on: state.need.length > 0, mask: maskOf(terms.services, needTerms) },
      service: { on: state.service.length > 0, mask: maskOf(terms.services, state.service) },
      population: { on: state.population.length > 0, mask: maskOf(terms.populations, state.population) },
      language: { on: state.language.length > 0 },
      feature: { on: state.feature.length > 0, mask: maskOf(terms.features, state.feature) },
      type: { on: state.type.length > 0, mask: maskOf(terms.trafficking_types, state.type) },
      cost: { on: state.cost.length > 0 },
      open: { on: state.open },
      h24: { on: state.h24 },
    };
    tests.need.pass = function (r) {
      return (r.services & tests.need.mask) !== 0;
    };
    tests.service.pass = function (r) {
      return (r.services & tests.service.mask) !== 0;
    };
    tests.population.pass = function (r) {
      return (r.populations & tests.population.mask) !== 0;
    };
    tests.language.pass = function (r) {
      return r.languages.some(function (i) {
        return languageIndexes.indexOf(i) !== -1;
      });
    };
    tests.feature.pass = function (r) {
      return (r.features & tests.feature.mask) === tests.feature.mask;
    };
    tests.type.pass = function (r) {
      return (r.trafficking & tests.type.mask) !== 0;
    };
    tests.cost.pass = function (r) {
      return costIndexes.indexOf(r.cost) !== -1;
    };
    tests.open.pass = function (r) {
      return isOpenNow(r, flags, now);
    };
    tests.h24.pass = function (r) {
      return (r.flags & flags.always) !== 0;
    };
    return tests;
  }

  // counts[value] += 1 for the value of each bit set in mask (bit i: list[i]).
  function countBits(counts, list, mask) {
    for (var i = 0, bits = mask; bits && i < list.length; i++, bits >>>= 1) {
      if (bits & 1) counts[list[i]] = (counts[list[i]] || 0) + 1;
    }
  }

  function countOne(counts, value) {
    counts[value] = (counts[value] || 0) + 1;
  }

  // Filter the rows; count, for every choice, how many results choosing it would give.
  // (Bit by bit over each row's masks, without building lists: at 10,000 listings a
  // state's rows are a thousand or more, on a phone's slow processor.)
  function applyFilters(man, rows, state, now) {
    var tests = makeTests(man, state, now);
    var terms = man.terms;
    var flags = man.flags;
    var names = GROUPS.concat(TOGGLES);
    var active = names.filter(function (name) {
      return tests[name].on;
    });
    var groupNames = Object.keys(M.groups || {});
    var groupMasks = groupNames.map(function (group) {
      return M.groups[group].reduce(function (mask, term) {
        return mask | bitOf(terms.services, term);
      }, 0);
    });
    var counts = {};
    names.forEach(function (name) {
      counts[name] = {};
    });
    var kept = [];
    var without = {};
    rows.forEach(function (row) {
      var failed = "";
      var failures = 0;
      for (var k = 0; k < active.length && failures < 2; k++) {
        if (!tests[active[k]].pass(row)) {
          failures += 1;
          failed = active[k];
        }
      }
      if (!failures) kept.push(row);
      if (failures > 1) return;
      // What dropping each filter would give: the one-tap widening of an empty result.
      if (failures === 1) without[failed] = (without[failed] || 0) + 1;
      // "any" groups count as if this group's own choices were not made; "all" groups
      // (features) and toggles count what adding the choice would leave.
      var ok = function (name) {
        return failures === 0 || (failed === name && name !== "feature" && GROUPS.indexOf(name) !== -1);
      };
      if (ok("need")) {
        groupMasks.forEach(function (mask, i) {
          if (row.services & mask) countOne(counts.need, groupNames[i]);
        });
      }
      if (ok("service")) countBits(counts.service, terms.services, row.services);
      if (ok("population")) countBits(counts.population, terms.populations, row.populations);
      if (ok("language")) {
        row.languages.forEach(function (i) {
          countOne(counts.language, man.languages[i]);
        });
      }
      if (ok("feature")) countBits(counts.feature, terms.features, row.features);
      if (ok("type")) countBits(counts.type, terms.trafficking_types, row.trafficking);
      if (ok("cost") && row.cost >= 0) countOne(counts.cost, terms.cost[row.cost]);
      if (ok("open") && isOpenNow(row, flags, now)) countOne(counts.open, "1");
      if (ok("h24") && row.flags & flags.always) countOne(counts.h24, "1");
    });
    return { rows: kept, counts: counts, without: without, tests: tests };
  }

  // Only the rows that pass every filter that is on: what the first results need.  The
  // counts (applyFilters) come after those are painted and filled in: they sit in the
  // closed filter panel and the need menu, and take longer (every choice of every row).
  function filterRows(man, rows, state, now) {
    var tests = makeTests(man, state, now);
    var names = GROUPS.concat(TOGGLES).filter(function (name) {
      return tests[name].on;
    });
    return rows.filter(function (row) {
      return names.every(function (name) {
        return tests[name].pass(row);
      });
    });
  }

  // Resolves once the browser has had the chance to paint what was just put on the
  // page (or after 100 ms, in a tab that is not painting).
  function afterNextPaint() {
    return new Promise(function (resolve) {
      var done = false;
      function go() {
        if (done) return;
        done = true;
        window.setTimeout(resolve, 0);
      }
      if (window.requestAnimationFrame) window.requestAnimationFrame(go);
      window.setTimeout(go, 100);
    });
  }

  function showCounts(counts) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-count]"), function (node) {
      var parts = node.getAttribute("data-count").split(":");
      var n = (counts[parts[0]] && counts[parts[0]][parts[1]]) || 0;
      if (node.tagName === "OPTION") node.textContent = node.getAttribute("data-label") + " (" + n + ")";
      else node.textContent = "(" + n + ")";
    });
  }

  function clearCounts() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-count]"), function (node) {
      node.textContent = node.tagName === "OPTION" ? node.getAttribute("data-label") : "";
    });
  }

  // ---- results ---------------------------------------------------------------

  // The summaries of these rows (the rows carry the rest of a result): [summary, …].
  async function summariesFor(man, rows) {
    var chunk = man.chunk;
    var wanted = new Map();
    rows.forEach(function (row) {
      var file = LANG + "/summaries/" + row.shard + "-" + Math.floor(row.index / chunk) + ".json";
      wanted.set(file, true);
    });
    var files = Array.from(wanted.keys());
    var loaded = await Promise.all(
      files.map(function (file) {
        return fetchJSON(dataUrl(file));
      })
    );
    var byFile = new Map();
    files.forEach(function (file, i) {
      byFile.set(file, loaded[i]);
    });
    return rows.map(function (row) {
      var file = LANG + "/summaries/" + row.shard + "-" + Math.floor(row.index / chunk) + ".json";
      return byFile.get(file)[row.index % chunk];
    });
  }

  function formatMiles(km) {
    var miles = km / KM_PER_MILE;
    var digits = miles < 10 ? 1 : 0;
    return new Intl.NumberFormat(LANG, {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
      useGrouping: false,
    }).format(miles);
  }

  function resultItem(man, row, loc, region, now) {
    var flags = man.flags;
    var card = row.card || {};
    var li = el("li", "search-result");
    var article = el("article", "search-result__card");
    var title = el("h3", "search-result__name");
    var untranslated = card.ut || [];
    var link = el("a", null, card.n);
    if (untranslated.indexOf("n") !== -1) link.lang = "en";
    link.href = new URL(card.u, ROOT).href;
    title.appendChild(link);
    article.appendChild(title);

    var where = [];
    if (loc && row.distanceKm !== undefined) {
      where.push(fmt(row.approximate ? "distance_approx" : "distance", { d: formatMiles(row.distanceKm) }));
    }
    if (card.c) where.push(card.c + ", " + card.st);
    else where.push(M.location_hidden + " (" + stateName(card.st) + ")");
    article.appendChild(el("p", "search-result__where", where.join(" · ")));

    var marks = [];
    if (row.flags & flags.closed) marks.push(M.closed);
    else if (isOpenNow(row, flags, now)) marks.push(row.flags & flags.always ? M.always : M.open_now);
    if (row.flags & flags.national) marks.push(M.national);
    else if (region) {
      if (row.flags & flags.counties) marks.push(fmt("counties", { state: stateName(region) }));
      else marks.push(fmt("statewide", { state: stateName(region) }));
      if (card.st && card.st !== region) marks.push(fmt("based_in", { state: stateName(card.st) }));
    }
    if (row.flags & flags.remote) marks.push(M.remote);
    if (marks.length) {
      var ul = el("ul", "search-result__marks");
      marks.forEach(function (text) {
        ul.appendChild(el("li", null, text));
      });
      article.appendChild(ul);
    }

    var services = man.terms.services
      .filter(function (value, i) {
        return (row.services & (1 << i)) !== 0;
      })
      .map(function (value) {
        return (M.service_labels && M.service_labels[value]) || value;
      });
    if (services.length) {
      article.appendChild(el("p", "search-result__services", M.services + " " + services.join(", ")));
    }
    if (card.ph && card.ph[1]) {
      var phone = el("p", "search-result__phone");
      var call = el("a", null, fmt(card.ph[2] === "text" ? "text" : "call", { number: card.ph[0] }));
      if (/^(tel|sms):[+0-9;=a-z]*$/i.test(card.ph[1])) call.href = card.ph[1];
      phone.appendChild(call);
      article.appendChild(phone);
    }
    li.appendChild(article);
    return li;
  }

  // A result's summary, under its place, once its file has arrived.
  function addSummary(item, entry) {
    if (!entry || !entry.s) return;
    var summary = el("p", "search-result__summary", entry.s);
    if ((entry.ut || []).indexOf("s") !== -1) summary.lang = "en";
    var where = item.querySelector(".search-result__where");
    where.parentNode.insertBefore(summary, where.nextSibling);
  }

  // The next page of results, painted at once (the rows carry what a result shows);
  // the promise settles when their summaries are filled in (never rejects: a result
  // without its summary still has its name, place, link and phone).
  function showMore(which, focusFirst) {
    var state = current;
    if (!state) return Promise.resolve();
    var list = which === "near" ? listNear : listArea;
    var rows = state[which];
    var shown = state.shown[which];
    var next = rows.slice(shown, shown + PAGE_SIZE);
    var items = next.map(function (row) {
      var item = resultItem(state.man, row, state.loc, state.region, state.now);
      list.appendChild(item);
      return item;
    });
    state.shown[which] = shown + next.length;
    setHidden(which === "near" ? moreNear : moreArea, state.shown[which] >= rows.length);
    if (focusFirst && items.length) {
      var link = items[0].querySelector("a");
      if (link) link.focus();
    }
    if (!next.length) return Promise.resolve();
    return summariesFor(state.man, next).then(
      function (summaries) {
        if (state !== current) return;
        summaries.forEach(function (entry, i) {
          addSummary(items[i], entry);
        });
      },
      function () {
        /* the results stand without their summaries */
      }
    );
  }

  function showText(text, extra) {
    clear(messageNode);
    messageNode.appendChild(el("p", null, text));
    if (extra) messageNode.appendChild(extra);
    messageNode.hidden = false;
  }

  function showMessage(key, vars, extra) {
    showText(fmt(key, vars), extra);
  }

  // Nothing within FAR_MILES: the results still come nearest first (the search has no
  // radius), but the person is told so before reading "43 mi away" on the first card.
  function farNotice(near, area, loc, region) {
    var widerKm = WIDER_MILES * KM_PER_MILE;
    var within = near.filter(function (row) {
      return row.distanceKm <= widerKm;
    }).length;
    var text = fmt("far", { miles: FAR_MILES, place: loc.label, d: formatMiles(near[0].distanceKm) });
    if (within) {
      text += " " + fmt(within === 1 ? "far_within_one" : "far_within_other", { n: within, miles: WIDER_MILES });
    }
    var extra = null;
    if (area.length && region) {
      extra = el("p");
      var key = area.length === 1 ? "far_area_one" : "far_area_other";
      var button = el("button", null, fmt(key, { n: area.length, state: stateName(region) }));
      button.type = "button";
      button.addEventListener("click", function () {
        areaHeading.scrollIntoView();
        areaHeading.focus();
      });
      extra.appendChild(button);
    }
    showText(text, extra);
  }

  function browseLinks() {
    var ul = el("ul", "search-message__browse");
    [
      ["browse_states", M.browse_states_url],
      ["browse_services", M.browse_services_url],
    ].forEach(function (pair) {
      var li = el("li");
      var a = el("a", null, M[pair[0]]);
      a.href = new URL(pair[1], window.location.href).href;
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  function resetResults() {
    current = null;
    resultsBox.hidden = false;
    clear(listNear);
    clear(listArea);
    setHidden(moreNear, true);
    setHidden(moreArea, true);
    areaHeading.hidden = true;
    messageNode.hidden = true;
    clear(messageNode);
    heading.textContent = M.results;
  }

  function announce(text, done) {
    statusNode.textContent = "";
    // A fresh text, a moment later, so screen readers announce even a repeat.
    window.setTimeout(function () {
      statusNode.textContent = text;
      if (done) done();
    }, 50);
  }

  // The results heading at the top of the screen (below the sticky safety bar, by
  // scroll-padding-top), so the count and the first result are in view; focus on it.
  function bringResultsIntoView() {
    heading.scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
  }

  function finish(focus, text) {
    var seq = runCounter;
    if (focus) bringResultsIntoView();
    announce(text, function () {
      if (seq === runCounter) app.setAttribute("data-state", "done");
    });
  }

  function stateButtons(man, shards) {
    var ul = el("ul", "search-message__states");
    Object.keys(shards)
      .filter(function (name) {
        return name !== "national" && shards[name] > 0;
      })
      .sort(function (a, b) {
        return stateName(a).localeCompare(stateName(b), LANG);
      })
      .forEach(function (code) {
        var li = el("li");
        var button = el("button", null, stateName(code) + " (" + shards[code] + ")");
        button.type = "button";
        button.addEventListener("click", function () {
          stateSelect.value = code;
          go(true);
        });
        li.appendChild(button);
        ul.appendChild(li);
      });
    return ul;
  }

  // ---- an empty result: why, and one tap to widen ------------------------------

  function choiceLabel(name, value) {
    if (name === "need") {
      var option = needSelect.querySelector('option[value="' + CSS.escape(value) + '"]');
      return option ? option.getAttribute("data-label") : value;
    }
    var box = form.querySelector('input[name="' + name + '"][value="' + CSS.escape(value) + '"]');
    var label = box && form.querySelector('label[for="' + box.id + '"]');
    return label ? label.firstChild.textContent.trim() : value;
  }

  // The filters that are on, in the form's order: [{name, text}].
  function activeFilters(state) {
    var active = [];
    GROUPS.concat(TOGGLES).forEach(function (name) {
      var value = state[name];
      var values = Array.isArray(value) ? value : value ? ["1"] : [];
      if (!values.length) return;
      active.push({
        name: name,
        text: values
          .map(function (v) {
            return choiceLabel(name, v);
          })
          .join(M.or),
      });
    });
    return active;
  }

  function dropFilter(name) {
    if (name === "need") needSelect.value = "";
    Array.prototype.forEach.call(form.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (box) {
      box.checked = false;
    });
    go(true);
  }

  // Says which filters and which place gave nothing (never a filter that is not on),
  // and offers, for each filter on, the results without it (one tap).
  function explainEmpty(state, filtered, loc, region) {
    var place = loc ? loc.label : region ? stateName(region) : "";
    var active = activeFilters(state);
    var names = active
      .map(function (f) {
        return "“" + f.text + "”";
      })
      .join(M.and);
    var key;
    var vars = { place: place, filters: names, q: state.q };
    if (active.length) key = place ? "none_filters_place" : "none_filters";
    else key = place ? "none_place" : "none_plain";
    var extra = el("div");
    var ul = el("ul", "search-message__widen");
    active.forEach(function (f) {
      var n = filtered.without[f.name] || 0;
      if (!n) return;
      var li = el("li");
      var button = el("button", null, fmt(n === 1 ? "widen_one" : "widen_other", { filter: f.text, n: n }));
      button.type = "button";
      button.addEventListener("click", function () {
        dropFilter(f.name);
      });
      li.appendChild(button);
      ul.appendChild(li);
    });
    if (ul.firstChild) extra.appendChild(ul);
    extra.appendChild(browseLinks());
    showMessage(key, vars, extra);
    return fmt(key, vars);
  }

  // ---- one search ------------------------------------------------------------

  async function run(state, focus) {
    var seq = ++runCounter;
    var stale = function () {
      return seq !== runCounter;
    };
    resetResults();
    app.setAttribute("data-state", "busy");
    statusNode.textContent = M.searching;
    var now = new Date();
    if (!state.q && !state.near && !state.state) {
      clearCounts();
      showMessage("empty", null, browseLinks());
      finish(focus, M.empty);
      return;
    }
    try {
      var manP = manifest();
      var textP = null;
      if (state.q) {
        textP = textSearch(state.q).catch(function () {
          return null;
        });
      }
      var loc = null;
      if (state.near) {
        var parsed = parseLocation(state.near);
        if (parsed.error) {
          showMessage(parsed.error, parsed.vars);
          finish(focus, fmt(parsed.error, parsed.vars));
          clearCounts();
          return;
        }
        loc = await resolveLocation(parsed);
        if (stale()) return;
        if (loc.error) {
          showMessage(loc.error, loc.vars);
          finish(focus, fmt(loc.error, loc.vars));
          clearCounts();
          return;
        }
      }
      var man = await manP;
      var region = state.state || (loc ? loc.state : "");
      var text = textP ? await textP : null;
      if (stale()) return;
      var textUnavailable = Boolean(state.q) && !text;
      if (text && text.hashes.size === 0) {
        showMessage("no_text", { q: state.q });
        finish(focus, fmt("no_text", { q: state.q }));
        clearCounts();
        return;
      }
      var shardNames;
      if (region) {
        shardNames = [region, "national"];
      } else if (text) {
        shardNames = Object.keys(text.shards).filter(function (name) {
          return text.shards[name] > 0;
        });
        var states = shardNames.filter(function (name) {
          return name !== "national";
        });
        var rowsToLoad = shardNames.reduce(function (sum, name) {
          return sum + (man.shards[name] || 0);
        }, 0);
        if (states.length > MAX_TEXT_SHARDS && rowsToLoad > MAX_TEXT_ROWS) {
          var vars = { n: text.hashes.size, s: states.length, q: state.q };
          showMessage("too_broad", vars, stateButtons(man, text.shards));
          finish(focus, fmt("too_broad", vars));
          clearCounts();
          return;
        }
      } else {
        // Words typed, but no word index: nothing to narrow by.
        showMessage("text_unavailable", null, browseLinks());
        finish(focus, M.text_unavailable);
        clearCounts();
        return;
      }
      shardNames = shardNames.filter(function (name) {
        return man.shards[name];
      });
      var loaded = await loadRows(man, shardNames);
      if (stale()) return;
      man = loaded.man;
      var rows = loaded.rows;
      mark("search-data-ready");

      if (text) {
        rows = rows.filter(function (row) {
          return row.hash && text.hashes.has(row.hash);
        });
      }
      if (region && loc && loc.state === region && loc.counties.length) {
        rows = rows.filter(function (row) {
          if (row.shard !== region || !(row.flags & man.flags.counties)) return true;
          return row.counties.some(function (c) {
            return loc.counties.indexOf(c) !== -1;
          });
        });
      }
      var kept = filterRows(man, rows, state, now);
      // Nothing to show: the counts say what to widen (explainEmpty), so they come first.
      var filtered = kept.length ? null : applyFilters(man, rows, state, now);
      if (filtered) showCounts(filtered.counts);
      var near = [];
      var area = [];
      kept.forEach(function (row) {
        if (loc && row.lat !== null && row.lon !== null) {
          row.distanceKm = haversineKm(loc.lat, loc.lon, row.lat, row.lon);
          near.push(row);
        } else {
          row.distanceKm = undefined;
          area.push(row);
        }
      });
      var byRank = function (a, b) {
        return a.rank - b.rank;
      };
      if (loc) {
        near.sort(function (a, b) {
          return a.distanceKm - b.distanceKm || a.rank - b.rank;
        });
        area.sort(byRank);
      } else if (text) {
        area.sort(function (a, b) {
          return text.hashes.get(a.hash) - text.hashes.get(b.hash) || a.rank - b.rank;
        });
      } else {
        area.sort(byRank);
      }
      current = {
        man: man,
        near: near,
        area: area,
        shown: { near: 0, area: 0 },
        loc: loc,
        region: region,
        now: now,
      };
      heading.textContent = loc ? fmt("near", { place: loc.label }) : M.results;
      if (loc && area.length) {
        areaHeading.textContent = region ? fmt("area", { state: stateName(region) }) : M.area_plain;
        areaHeading.hidden = false;
      }
      // The first page of results, painted at once from the rows (the nearest, or the
      // listings without a place when no place was given) and brought into view; the
      // count announced; the other list's first page (below, off screen) right after
      // that paint; the summaries filled in as they arrive.
      // Shown between the heading and the list: read right after the count by a screen
      // reader moving on from the focused heading.
      if (loc && near.length && near[0].distanceKm > FAR_MILES * KM_PER_MILE) {
        farNotice(near, area, loc, region);
      }
      var first = near.length ? "near" : "area";
      var filling = [showMore(first, false)];
      mark("search-first-results");
      var total = near.length + area.length;
      var summary = fmt(total === 1 ? "count_one" : "count_other", { n: total });
      if (textUnavailable) {
        summary += " " + M.text_unavailable;
      }
      if (total === 0) summary = explainEmpty(state, filtered, loc, region);
      if (focus) bringResultsIntoView();
      var announced = new Promise(function (resolve) {
        announce(summary, resolve);
      });
      // The counts last, once the results are on screen and their summaries in: a
      // long task right after the first results would hold the next frames back.
      await afterNextPaint();
      if (stale()) return;
      if (first === "near") filling.push(showMore("area", false));
      await Promise.all(filling);
      if (stale()) return;
      mark("search-cards-ready");
      if (!filtered) {
        showCounts(applyFilters(man, rows, state, now).counts);
        mark("search-counts-ready");
      }
      mark("search-results-rendered");
      await announced;
      if (!stale()) app.setAttribute("data-state", "done");
    } catch (error) {
      if (stale()) return;
      showMessage("load_error", null, browseLinks());
      finish(focus, M.load_error);
    }
  }

  // ---- wiring ----------------------------------------------------------------

  // The whole search session is one history entry: the address is rewritten in place,
  // never pushed, so Back (and Back after a quick exit) never steps through searches.
  function go(focus) {
    var state = stateFromForm();
    window.history.replaceState(null, "", queryString(state));
    updateFiltersSummary();
    return run(state, focus);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    filtersBox.open = false;
    go(true);
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" || target === stateSelect || target === needSelect) go(false);
  });

  nearInput.addEventListener("input", function () {
    geoZip = "";
  });

  moreNear.addEventListener("click", function () {
    showMore("near", true);
  });
  moreArea.addEventListener("click", function () {
    showMore("area", true);
  });

  window.addEventListener("popstate", function () {
    var state = stateFromUrl();
    fillForm(state);
    run(state, false);
  });

  if (navigator.geolocation && window.isSecureContext !== false) {
    geoWrap.hidden = false;
    geoButton.addEventListener("click", function () {
      resetResults();
      announce(M.geo_locating);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          manifest()
            .then(function () {
              return nearestZip(position.coords.latitude, position.coords.longitude);
            })
            .then(function (zip) {
              if (!zip) {
                showMessage("geo_outside");
                finish(true, M.geo_outside);
                return;
              }
              // Searched near it, but neither the box nor the address shows it.
              geoZip = zip;
              nearInput.value = "";
              go(true).then(function () {
                var text = fmt("geo_found", { zip: zip });
                messageNode.hidden = false;
                messageNode.insertBefore(el("p", null, text), messageNode.firstChild);
              });
            })
            .catch(function () {
              showMessage("load_error", null, browseLinks());
              finish(true, M.load_error);
            });
        },
        function (error) {
          var key = error && error.code === 1 ? "geo_denied" : "geo_unavailable";
          showMessage(key);
          finish(true, M[key]);
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
  }

  var initial = stateFromUrl();
  fillForm(initial);
  if (addressQuery()) {
    // Arriving from the home page's form is a search just submitted: show its results,
    // under the tidy address (no empty fields), still in the same history entry.
    window.history.replaceState(null, "", queryString(initial));
    run(initial, true);
  } else {
    app.setAttribute("data-state", "done");
  }
})();
