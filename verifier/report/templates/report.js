(function () {
  "use strict";
  var table = document.getElementById("citations");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var byStatus = document.getElementById("filter-status");
  var byVerdict = document.getElementById("filter-verdict");
  var byDocument = document.getElementById("filter-document");
  var byText = document.getElementById("filter-text");
  var shown = document.getElementById("shown");
  var empty = document.getElementById("no-rows");
  var more = document.getElementById("show-more");
  var all = document.getElementById("show-all");
  // Rows are laid out a page at a time: a browser slows to a crawl laying
  // out tens of thousands of evidence cells at once.
  var page = parseInt(table.dataset.page, 10) || 200;
  var limit = page;

  function apply(keepLimit) {
    if (keepLimit !== true) { limit = page; }
    var status = byStatus.value, verdict = byVerdict.value, doc = byDocument.value;
    var text = byText.value.trim().toLowerCase();
    var matching = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var ok = (status === "" || (status === "@broken" ? d.broken === "1" : d.status === status)) &&
        (verdict === "" || d.verdicts.split(" ").indexOf(verdict) >= 0) &&
        (doc === "" || d.document === doc) &&
        (text === "" || row.textContent.toLowerCase().indexOf(text) >= 0);
      if (ok) { matching += 1; }
      var hide = !ok || matching > limit;
      if (row.hidden !== hide) { row.hidden = hide; }
    });
    var visible = Math.min(matching, limit);
    shown.textContent = visible + " of " + rows.length + " shown" +
      (matching > visible ? " (" + matching + " match)" : "");
    more.hidden = all.hidden = matching <= limit;
    more.textContent = "Show " + Math.min(page, matching - limit) + " more";
    all.textContent = "Show all " + matching;
    empty.hidden = matching !== 0;
  }

  [byStatus, byVerdict, byDocument].forEach(function (el) { el.addEventListener("change", apply); });
  byText.addEventListener("input", apply);
  more.addEventListener("click", function () { limit += page; apply(true); });
  all.addEventListener("click", function () { limit = rows.length; apply(true); });
  document.getElementById("filter-reset").addEventListener("click", function () {
    byStatus.value = ""; byVerdict.value = ""; byDocument.value = ""; byText.value = "";
    apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("button.doclink"), function (button) {
    button.addEventListener("click", function () {
      byDocument.value = button.dataset.document;
      apply();
      table.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort]"));
  function sortBy(th, direction) {
    var key = th.dataset.sort, numeric = th.dataset.type === "number";
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
    var sorted = rows.slice().sort(function (a, b) {
      var x = a.getAttribute("data-sort-" + key) || "", y = b.getAttribute("data-sort-" + key) || "";
      var c;
      if (numeric) {
        var nx = x === "" ? Infinity : parseFloat(x), ny = y === "" ? Infinity : parseFloat(y);
        c = nx === ny ? 0 : (nx < ny ? -1 : 1);
        if (x === "" || y === "") { return c; }
      } else {
        c = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      }
      if (c === 0) { c = parseInt(a.dataset.order, 10) - parseInt(b.dataset.order, 10); return c; }
      return c * direction;
    });
    var fragment = document.createDocumentFragment();
    sorted.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    rows = sorted;
    apply(true);
  }
  headers.forEach(function (th) {
    th.tabIndex = 0;
    function toggle() {
      sortBy(th, th.getAttribute("aria-sort") === "ascending" ? -1 : 1);
    }
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  });
  apply();
})();
