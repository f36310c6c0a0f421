/* The catalog's filters: status, tag, owner, the process's extra fields and text, all in the
   page (works from file://).  The rows' data comes from the JSON block the build wrote; the
   filters' state is kept in the URL (?status=&tag=&owner=&q=, and one key per extra field)
   so a filtered view can be linked to. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dd-catalog-data").textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll("#dd-catalog-rows > tr"));
  var form = document.getElementById("dd-filters");
  var status = document.getElementById("dd-f-status");
  var tag = document.getElementById("dd-f-tag");
  var owner = document.getElementById("dd-f-owner");
  var text = document.getElementById("dd-f-text");
  var count = document.getElementById("dd-f-count");
  var extras = Array.prototype.slice.call(document.querySelectorAll("select[data-dd-extra]"));

  function matches(record, wanted) {
    if (wanted.status && (wanted.status === "-" ? record[0] !== "" : record[0] !== wanted.status)) return false;
    if (wanted.tag && record[1].indexOf(wanted.tag) === -1) return false;
    if (wanted.owner && record[2].indexOf(wanted.owner) === -1) return false;
    for (var e = 0; e < extras.length; e++) {
      var value = extras[e].value;
      if (value && record[4][Number(extras[e].dataset.ddExtra)].indexOf(value) === -1) return false;
    }
    for (var i = 0; i < wanted.words.length; i++) {
      if (record[3].indexOf(wanted.words[i]) === -1) return false;
    }
    return true;
  }

  function apply() {
    var query = text.value.trim().toLowerCase();
    var wanted = { status: status.value, tag: tag.value, owner: owner.value, words: query ? query.split(/\s+/) : [] };
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = matches(data[i], wanted);
      rows[i].hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown === rows.length ? rows.length + " docs" : "Showing " + shown + " of " + rows.length + " docs";
    remember();
  }

  function remember() {
    var params = new URLSearchParams();
    if (status.value) params.set("status", status.value);
    if (tag.value) params.set("tag", tag.value);
    if (owner.value) params.set("owner", owner.value);
    extras.forEach(function (select) { if (select.value) params.set(select.name, select.value); });
    if (text.value.trim()) params.set("q", text.value.trim());
    var search = params.toString();
    try {
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    } catch (e) {
      /* some browsers refuse replaceState on file:// pages; the filters still work */
    }
  }

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) {
        select.value = value;
        return;
      }
    }
  }

  var params = new URLSearchParams(location.search);
  choose(status, params.get("status") || "");
  choose(tag, params.get("tag") || "");
  choose(owner, params.get("owner") || "");
  text.value = params.get("q") || "";
  extras.forEach(function (select) {
    choose(select, params.get(select.name) || "");
    select.addEventListener("change", apply);
  });

  status.addEventListener("change", apply);
  tag.addEventListener("change", apply);
  owner.addEventListener("change", apply);
  text.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  apply();
})();
