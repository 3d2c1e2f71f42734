/* Quick exit ("Exit this page", after the GOV.UK Design System pattern).
 *
 * The button is a plain link to the neutral site (EXIT_URL), so it works
 * without JavaScript.  With JavaScript, pressing the button or the Shift key
 * three times within a second:
 *   1. blanks the page at once (content removed, title cleared), so nothing
 *      stays on screen while the neutral site loads;
 *   2. replaces this page in the tab's history with the neutral site
 *      (location.replace), so Back does not return here.
 * It opens nothing new and stores nothing.  Forms marked data-forget (the home
 * page's search) are emptied when the page is left, so Back does not show them
 * filled in; the search page keeps a whole search in one history entry
 * (search.js), so the replaced entry is the only one that held it.  What it cannot do (clear the
 * rest of the history, other devices) is explained on the quick-exit page.
 */
(function () {
  "use strict";
  if (window.waystationQuickExit) {
    return;
  }
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  var exitUrl = link.href;
  var exiting = false;

  function exitPage(event) {
    if (event) {
      event.preventDefault();
    }
    if (exiting) {
      return;
    }
    exiting = true;
    announceExit();
    try {
      document.title = "";
      var root = document.documentElement;
      root.style.background = "#fff";
      document.body.innerHTML = "";
      document.body.style.visibility = "hidden";
    } catch (ignored) {
      /* Leave as fast as possible whatever happened above. */
    }
    window.location.replace(exitUrl);
  }

  /* Tell the page's other scripts first (inside a partner's frame, js/map-embed.js
     asks the partner page to leave too: docs/embedding.md). */
  function announceExit() {
    try {
      window.dispatchEvent(new CustomEvent("waystation:quick-exit", { detail: exitUrl }));
    } catch (ignored) {
      /* Leaving matters more. */
    }
  }

  window.waystationQuickExit = exitPage;

  link.addEventListener("click", function (event) {
    /* Even a modified click (Ctrl, middle button) leaves this tab: a new tab
       with this site must never be opened by the exit button. */
    exitPage(event);
  });
  link.addEventListener("keydown", function (event) {
    /* role="button": Space activates it like a button. */
    if (event.key === " " || event.key === "Spacebar") {
      exitPage(event);
    }
  });

  var presses = 0;
  var timer = null;
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.key !== "Shift") {
        presses = 0;
        return;
      }
      if (event.repeat) {
        return;
      }
      presses += 1;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        presses = 0;
      }, 1000);
      if (presses >= 3) {
        presses = 0;
        exitPage(null);
      }
    },
    true
  );

  /* A search form marked data-forget (the home page's) is emptied when the page is
     left (its values were sent already), and again if the browser brings the page
     back from its back/forward cache: Back never shows what was typed. */
  function forget() {
    var forms = document.querySelectorAll("form[data-forget]");
    for (var i = 0; i < forms.length; i++) {
      forms[i].reset();
    }
  }
  window.addEventListener("pagehide", forget);

  /* If the browser ever brings this page back from its back/forward cache
     after an exit, keep it blank and leave again. */
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      forget();
    }
    if (event.persisted && exiting) {
      window.location.replace(exitUrl);
    }
  });
})();
