// "My reports": the tracking links this phone has sent, kept in localStorage (newest first,
// at most 50), each with its status as last fetched from POST /observations/statuses. A report
// joins the list from its confirmation (data-my-report-new, also after an htmx swap) and, when
// it waited in the outbox, once it is sent (outbox.js keeps its link until this page takes it).
// Also the tracking link's Share button: Web Share, else copy to the clipboard, else select it.
(function () {
  "use strict";

  var KEY = "safetywalk.myReports", MAX = 50;
  var TOKEN = /\/observations\/([A-Za-z0-9_-]{16,64})\/?$/;

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function load() {
    try {
      var list = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (e) { return e && typeof e.token === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function newestFirst(a, b) { return (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0); }

  function save(list) {
    try { localStorage.setItem(KEY, JSON.stringify(list.sort(newestFirst).slice(0, MAX))); } catch (e) { /* full or private mode */ }
  }

  // Add (or complete) one report: {url, number, label, at}. Returns true when it was new.
  // The path of a tracking link; behind a proxy the server may name another host than the
  // page's, so only the path counts and the link is kept on this page's own origin.
  function pathOf(href) {
    try { return new URL(href, location.href).pathname; } catch (e) { return ""; }
  }

  function add(entry) {
    var path = pathOf(entry.url);
    var m = TOKEN.exec(path);
    if (!m) return false;
    var list = load();
    var old = list.filter(function (e) { return e.token === m[1]; })[0];
    var rest = list.filter(function (e) { return e.token !== m[1]; });
    rest.push({
      token: m[1], url: location.origin + path,
      number: entry.number || (old && old.number) || null,
      label: entry.label || (old && old.label) || "",
      at: (old && old.at) || entry.at || new Date().toISOString(),
      status: old ? old.status : null, statusLabel: old ? old.statusLabel : null,
      updated: old ? old.updated : null,
    });
    save(rest);
    return !old;
  }

  function remove(token) {
    save(load().filter(function (e) { return e.token !== token; }));
  }

  var panel, t, stale = false;

  function shortDate(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "short", year: "numeric" });
  }

  function render() {
    if (!panel) return;
    var list = load();
    // Beside the form only: after a send the confirmation speaks for itself.
    var form = document.getElementById("capture");
    panel.hidden = list.length === 0 || !form || form.tagName !== "FORM";
    panel.querySelector("[data-my-reports-count]").textContent = fmt(t.msgCount, { n: list.length });
    var note = panel.querySelector("[data-my-reports-note]");
    var words = stale && list.length ? t.msgStale : "";
    if (note.textContent !== words) note.textContent = words;
    var ul = panel.querySelector("[data-my-reports-list]");
    ul.innerHTML = "";
    if (panel.hidden) return;
    list.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "my-report";
      li.dataset.token = entry.token;
      var a = document.createElement("a");
      a.href = entry.url;
      var what = document.createElement("span");
      what.className = "my-report-what";
      var title = entry.number ? fmt(t.msgNumber, { n: entry.number }) : "";
      what.textContent = [title, entry.label].filter(Boolean).join(" · ");
      var meta = document.createElement("span");
      meta.className = "my-report-meta";
      meta.setAttribute("data-my-report-status", "");
      var status = entry.statusLabel ? fmt(t.msgStatus, { status: entry.statusLabel }) : t.msgNotFetched;
      meta.textContent = [shortDate(entry.at), status].filter(Boolean).join(" · ");
      a.appendChild(what);
      a.appendChild(meta);
      li.appendChild(a);
      var del = document.createElement("button");
      del.type = "button";
      del.className = "button button-small";
      del.textContent = t.msgRemove;
      del.setAttribute("aria-label", fmt(t.msgRemoveLabel, { what: what.textContent }));
      del.addEventListener("click", function () {
        if (!window.confirm(t.msgConfirmRemove)) return;
        remove(entry.token);
        render();
        var next = panel.querySelector("[data-my-reports-list] button") || panel.querySelector("summary");
        if (!panel.hidden && next) next.focus();
        panel.querySelector("[data-my-reports-note]").textContent = t.msgRemoved;
      });
      li.appendChild(del);
      ul.appendChild(li);
    });
  }

  // The current status of every report in the list; offline (or no answer): the last known.
  var refreshing = null;
  function refresh() {
    if (refreshing) return refreshing;
    var list = load();
    if (!list.length) { render(); return Promise.resolve(); }
    var body = new URLSearchParams();
    list.forEach(function (e) { body.append("tokens", e.token); });
    refreshing = fetch("/observations/statuses", {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (r) {
      if (!r.ok || r.redirected) throw new Error("statuses: " + r.status);
      return r.json();
    }).then(function (answer) {
      var byToken = {};
      (answer.reports || []).forEach(function (s) { byToken[s.token] = s; });
      // Read again: a report may have joined the list while the answer was on its way.
      save(load().map(function (e) {
        var s = byToken[e.token];
        if (s) { e.number = s.number; e.status = s.status; e.statusLabel = s.status_label; e.updated = s.updated; }
        return e;
      }));
      stale = false;
    }, function () {
      stale = true;
    }).then(function () { refreshing = null; render(); });
    return refreshing;
  }

  // Reports on the page just sent (a confirmation, or the status page after a plain post).
  function pickUpNew(root) {
    var found = false;
    (root || document).querySelectorAll("[data-my-report-new]").forEach(function (el) {
      add({ url: el.dataset.url, number: parseInt(el.dataset.number, 10) || null, label: el.dataset.label, at: el.dataset.at });
      el.removeAttribute("data-my-report-new");
      found = true;
    });
    return found;
  }

  // Reports the outbox sent (by this page or the service worker): their links join the list.
  function fromOutbox() {
    var box = window.SafetyWalkOutbox;
    if (!box || !box.sentLinks || typeof indexedDB === "undefined") return Promise.resolve();
    return box.sentLinks().then(function (items) {
      if (!items.length) return;
      items.forEach(function (i) { add({ url: i.url, label: i.label, at: i.queued_at }); });
      // Off the outbox only those the list now really holds (localStorage may be full or off).
      var kept = load().map(function (e) { return e.token; });
      var done = items.filter(function (i) {
        var m = TOKEN.exec(pathOf(i.url));
        return m && kept.indexOf(m[1]) >= 0;
      }).map(function (i) { return i.client_id; });
      return box.forgetSent(done).then(refresh);
    }).catch(function () { /* the outbox could not be opened: its links stay there for later */ });
  }

  function say(status, words) {
    status.textContent = "";
    setTimeout(function () { status.textContent = words; }, 50); // said again on a second press
  }

  function initShare(box) {
    if (box.dataset.shareReady) return;
    box.dataset.shareReady = "1";
    var d = box.dataset;
    var input = box.querySelector("[data-share-url]");
    var button = box.querySelector("[data-share-button]");
    var status = box.querySelector("[data-share-status]");
    if (!input || !button) return;
    if (!navigator.share) button.textContent = d.msgCopy;
    button.hidden = false;

    function select() {
      input.focus();
      input.select();
      input.setSelectionRange(0, input.value.length);
    }
    function copy() {
      var byHand = function () {
        select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        say(status, ok ? d.msgCopied : d.msgSelect);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () { say(status, d.msgCopied); }, byHand);
      } else {
        byHand();
      }
    }
    button.addEventListener("click", function () {
      var data = { title: d.shareTitle, text: d.shareText, url: input.value };
      if (navigator.share && (!navigator.canShare || navigator.canShare(data))) {
        navigator.share(data).catch(function (err) {
          if (!err || err.name !== "AbortError") copy(); // AbortError: the resident closed the sheet
        });
      } else {
        copy();
      }
    });
    input.addEventListener("focus", function () { input.select(); });
  }

  function scan() {
    document.querySelectorAll("[data-share]").forEach(initShare);
    if (pickUpNew(document)) refresh();
  }

  function init() {
    panel = document.querySelector("[data-my-reports]");
    t = panel ? panel.dataset : null;
    scan();
    // The status page right after a plain form post (?sent=…): once its report is on the list,
    // the address is the bare tracking link, so a reload or a shared copy says no "thank you"
    // and adds nothing to another phone's list.
    if (/[?&]sent=/.test(location.search) && window.history && history.replaceState) {
      history.replaceState(history.state, "", location.pathname);
    }
    render();
    if (panel) fromOutbox().then(refresh);
  }

  // Back over the address a send pushed (or forward again): load the page afresh, not an htmx
  // snapshot, whose map would be dead (the form is kept out of snapshots: hx-history="false").
  window.addEventListener("popstate", function (evt) {
    if (evt.state && evt.state.htmx) location.reload();
  });

  window.SafetyWalkMyReports = { add: add, remove: remove, list: load, refresh: refresh, fromOutbox: fromOutbox };
  document.addEventListener("htmx:afterSettle", scan);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
