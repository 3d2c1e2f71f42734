/*
 * The home page's search form, made faster on a slow phone network (docs/search.md,
 * "Loading").  Without this script the form is a plain GET form to the search page
 * (?near=60623&need=legal-help), which still works.
 *
 * 1. When the visitor starts using the form (touches or focuses it: not on every
 *    visit), the browser is asked to fetch, at low priority, what the search page needs
 *    whatever is searched: the page itself and its scripts (data-prefetch,
 *    data-prefetch-cors; the search page may be reused for five minutes, the scripts
 *    for a day: docs/deploy.md).  About 20 KB, once; nothing when the browser asks to
 *    save data.  Only this site's files; nothing is sent anywhere else.
 * 2. On submit, it goes to the search page with the search in the address's fragment
 *    (/search/#near=60623&need=legal-help), the one address under which the browser
 *    reuses the page it fetched (a query would make it another address).  The search
 *    page moves the search into its query (history.replaceState: same history entry).
 *    The fragment is never sent to the site: the ZIP code typed stays on the device.
 *
 * Plain ES5; nothing stored.  Owner: search (issue 16).
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-prefetch]");
  if (!form || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var fetched = false;

  function addPrefetch(href, cors) {
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.href = href;
    // Fetched the way the search page will ask for it (a module or fetch(): CORS
    // mode), so that the browser reuses the response.
    if (cors) {
      link.crossOrigin = "anonymous";
    }
    document.head.appendChild(link);
  }

  function prefetch() {
    if (fetched) {
      return;
    }
    fetched = true;
    var connection = navigator.connection;
    if (connection && connection.saveData) {
      return;
    }
    [["data-prefetch", false], ["data-prefetch-cors", true]].forEach(function (pair) {
      (form.getAttribute(pair[0]) || "").split(/\s+/).forEach(function (href) {
        if (href) {
          addPrefetch(href, pair[1]);
        }
      });
    });
  }

  form.addEventListener("focusin", prefetch);
  form.addEventListener("pointerdown", prefetch);

  form.addEventListener("submit", function (event) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      value = String(value).trim();
      if (value) {
        params.append(name, value);
      }
    });
    var query = params.toString();
    event.preventDefault();
    window.location.assign(form.action + (query ? "#" + query : ""));
  });
})();
