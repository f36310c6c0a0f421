/* Full-text search with pagefind's index and UI, loaded from this site (no network).
   Over file:// the browser will not let pagefind fetch its index: say so, and offer the
   catalog's filter with the same words. */
(function () {
  "use strict";
  var box = document.getElementById("dd-search");
  var note = document.getElementById("dd-search-note");
  var query = new URLSearchParams(location.search).get("q") || "";

  function explain(message) {
    note.textContent = message + " ";
    var link = document.createElement("a");
    link.href = "index.html" + (query ? "?q=" + encodeURIComponent(query) : "");
    link.textContent = "Filter the catalog" + (query ? " for \u201c" + query + "\u201d" : "") + " instead.";
    note.appendChild(link);
    note.hidden = false;
    box.hidden = true; /* no search box: no room kept for one */
  }

  if (box.getAttribute("data-disabled") === "true") {
    explain("This site was built without a search index.");
    return;
  }
  if (location.protocol === "file:") {
    explain("Full-text search needs the site to be served over HTTP (designdoc serve, or any static host).");
    return;
  }
  /* A large site's index is several bundles (pagefind/shard-0, shard-1, …): the first one
     runs the search and merges the others' results. */
  var bundles = (box.getAttribute("data-bundles") || "pagefind").split(" ").filter(Boolean);
  var first = bundles[0] + "/";
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = first + "pagefind-ui.css";
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = first + "pagefind-ui.js";
  script.onload = function () {
    /* global PagefindUI */
    var base = new URL(".", location.href).pathname;
    var others = bundles.slice(1).map(function (bundle) { return { bundlePath: base + bundle + "/" }; });
    var ui = new PagefindUI({ element: "#dd-search", bundlePath: base + first, mergeIndex: others, baseUrl: base,
                              showSubResults: true, showImages: false });
    if (query) ui.triggerSearch(query);
  };
  script.onerror = function () { explain("The search index is missing."); };
  document.head.appendChild(script);
})();
