// Loads Pagefind's own search API (served from this site's /pagefind/) only when a
// visitor searches for words.  A module script, so that the main search script
// (search.js) stays plain ES2017: it calls window.waystationLoadPagefind(url).
// Owner: search (issue 6).
window.waystationLoadPagefind = function (url) {
  return import(url);
};
document.dispatchEvent(new Event("waystation:pagefind-loader"));
