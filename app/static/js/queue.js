// The queue as a work list, from the keyboard: j/k or the arrow keys move between rows, Enter
// opens the report, x picks the row for a bulk move (never while typing in a field). Also: the
// page's select-all box, "all that match" and, after an inline change in a row, fresh counts.
(function () {
  "use strict";

  var current = null; // the row the keyboard is on

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-table] tr[data-row]"));
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.closest(".cell-select")) return false; // a row's box: x and j/k still work
    return target.isContentEditable || !!target.closest("input, select, textarea, button, summary, details[open] .pick-body");
  }

  function moveTo(row) {
    if (!row) return;
    if (current) current.classList.remove("is-current");
    current = row;
    row.classList.add("is-current");
    var link = row.querySelector("[data-open]");
    if (link) link.focus(); // the visible focus, and what a screen reader reads
  }

  function step(by) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current && document.body.contains(current) ? current : null);
    if (at === -1) {
      var inside = document.activeElement && document.activeElement.closest("tr[data-row]");
      at = inside ? all.indexOf(inside) : -1;
    }
    var next = at === -1 ? (by > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + by, 0), all.length - 1);
    moveTo(all[next]);
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.altKey || evt.ctrlKey || evt.metaKey || !document.querySelector("[data-queue-table]")) return;
    var onLink = evt.target && evt.target.matches && evt.target.matches("[data-open]");
    if (typing(evt.target) && !onLink) return;
    var key = evt.key;
    if (key === "j" || key === "ArrowDown") { evt.preventDefault(); step(1); }
    else if (key === "k" || key === "ArrowUp") { evt.preventDefault(); step(-1); }
    else if (key === "x" && current && document.body.contains(current)) {
      evt.preventDefault();
      var box = current.querySelector(".cell-select input");
      if (box) { box.checked = !box.checked; syncPage(); }
    } else if (key === "Enter" && current && document.body.contains(current) && !onLink) {
      var open = current.querySelector("[data-open]");
      if (open) { evt.preventDefault(); open.click(); }
    }
  });

  document.addEventListener("focusin", function (evt) {
    var row = evt.target.closest && evt.target.closest("[data-queue-table] tr[data-row]");
    if (row && row !== current) {
      if (current) current.classList.remove("is-current");
      current = row;
      row.classList.add("is-current");
    }
  });

  // The page's box picks every row on the page; it shows "mixed" when some are picked.
  function syncPage() {
    var page = document.querySelector("[data-select-page]");
    if (!page) return;
    var boxes = document.querySelectorAll("[data-queue-table] .cell-select input[name=ids]");
    var picked = document.querySelectorAll("[data-queue-table] .cell-select input[name=ids]:checked");
    page.checked = boxes.length > 0 && picked.length === boxes.length;
    page.indeterminate = picked.length > 0 && picked.length < boxes.length;
  }

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    if (target.matches("[data-select-page]")) {
      document.querySelectorAll("[data-queue-table] .cell-select input[name=ids]").forEach(function (box) {
        box.checked = target.checked;
      });
    } else if (target.matches("[data-select-every]")) {
      // "All that match" covers the page too: show it by ticking every row.
      document.querySelectorAll("[data-queue-table] .cell-select input[name=ids]").forEach(function (box) {
        box.checked = target.checked;
      });
      syncPage();
    } else if (target.matches("[data-queue-table] .cell-select input[name=ids]")) {
      var every = document.querySelector("[data-select-every]");
      if (every && !target.checked) every.checked = false; // one left out: not all any more
      syncPage();
    }
  });

  // After an inline change in a row (status, assignment), the counts are asked for again. The
  // row's form is still in the page before the swap (after it, its events no longer bubble).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.closest && elt.closest("[data-queue-table] tr[data-row]")) {
      setTimeout(function () { document.body.dispatchEvent(new CustomEvent("queue:changed")); }, 0);
    }
  });

  // A status or "More" panel closes when the pointer goes elsewhere or Escape is pressed.
  document.addEventListener("click", function (evt) {
    document.querySelectorAll(".queue-page details.pick[open], .queue-page details.assign[open]").forEach(function (d) {
      if (!d.contains(evt.target)) d.open = false;
    });
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var open = evt.target.closest && evt.target.closest("details.pick[open], details.assign[open]");
    if (open) { open.open = false; var s = open.querySelector("summary"); if (s) s.focus(); }
  });

  function ready() {
    document.querySelectorAll("[data-needs-script]").forEach(function (el) { el.hidden = false; });
    syncPage();
  }

  document.addEventListener("DOMContentLoaded", ready);
  document.addEventListener("htmx:afterSettle", ready);
})();
