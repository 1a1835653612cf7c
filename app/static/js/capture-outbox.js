// The capture page's outbox: a report that cannot be sent now waits on the phone (outbox.js
// keeps it in IndexedDB with its photos and client_id) and goes when the network returns: on
// "online", on the next page open, with the button, or by Background Sync; the panel lists
// what waits and what was refused.
// capture.js calls it with the form and its photos.
(function () {
  "use strict";

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // A random (version 4) UUID; crypto.randomUUID is missing in some browsers that have the rest.
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function initOutbox(form, photos) {
    var box = window.SafetyWalkOutbox;
    var panel = document.querySelector("[data-outbox]");
    if (!box || !panel || typeof indexedDB === "undefined") return;
    var idInput = form.querySelector('input[name="client_id"]');
    // A fresh id for every form opened, also when the page itself came from the offline copy
    // (which carries the id it was served with).
    idInput.value = newId();
    var queued = document.querySelector("[data-queued]");
    var count = panel.querySelector("[data-outbox-count]");
    var list = panel.querySelector("[data-outbox-list]");
    var sent = panel.querySelector("[data-outbox-sent]");
    var t = panel.dataset;

    function render() {
      return box.all().then(function (items) {
        panel.hidden = items.length === 0 && !sent.textContent;
        var words = fmt(t.msgWaiting, { n: items.length });
        if (count.textContent !== words) count.textContent = words; // a live region: say it once
        count.hidden = items.length === 0;
        panel.querySelector("[data-outbox-items]").hidden = items.length === 0;
        list.innerHTML = "";
        items.forEach(function (item) {
          var li = document.createElement("li");
          var what = document.createElement("span");
          what.textContent = item.label + " · " + new Date(item.queued_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          li.appendChild(what);
          if (item.state === "refused") {
            var why = document.createElement("span");
            why.className = "field-error";
            why.textContent = fmt(t.msgRefused, { reason: item.message || "" });
            li.appendChild(why);
          }
          var del = document.createElement("button");
          del.type = "button"; del.className = "button button-small";
          del.textContent = t.msgDelete;
          del.setAttribute("aria-label", fmt(t.msgDeleteLabel, { what: item.label }));
          del.disabled = box.isSyncing(); // being sent right now: too late to take back
          del.addEventListener("click", function () {
            if (!window.confirm(t.msgConfirmDelete)) return;
            box.remove(item.client_id).then(render).then(function () {
              var next = list.querySelector("button") || panel.querySelector("[data-outbox-send]");
              if (!panel.hidden && next) next.focus();
            });
          });
          li.appendChild(del);
          list.appendChild(li);
        });
        return items;
      });
    }

    // What was sent, with each report's tracking link: the only way to follow it later.
    function showSent(report) {
      if (!report || !report.stored.length) return;
      // "My reports" (my-reports.js) takes the links the outbox kept for it.
      if (window.SafetyWalkMyReports) window.SafetyWalkMyReports.fromOutbox();
      sent.textContent = fmt(t.msgSent, { n: report.stored.length });
      var links = panel.querySelector("[data-outbox-links]");
      report.stored.forEach(function (s) {
        if (!s.url) return;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = s.url;
        a.textContent = fmt(t.msgFollow, { what: s.label });
        li.appendChild(a);
        links.appendChild(li);
      });
    }

    function syncNow(retryRefused) {
      var before = retryRefused ? box.all().then(function (items) {
        return Promise.all(items.filter(function (i) { return i.state === "refused"; }).map(function (i) {
          i.state = "waiting"; i.message = ""; return box.put(i);
        }));
      }) : Promise.resolve();
      return before.then(function () { return box.sync(); }).then(function (report) {
        showSent(report);
        return render();
      }).catch(function () { return render(); });
    }

    function chosenLabel() {
      var chosen = form.querySelector('input[name="category"]:checked');
      var label = chosen && chosen.closest("label");
      return label ? label.querySelector("span").firstChild.textContent.trim() : t.msgNoCategory;
    }

    function keep() {
      // A photo added while the upload was under way is still being scaled: wait for it.
      if (photos && photos.busy()) {
        return new Promise(function (resolve) { setTimeout(resolve, 200); }).then(keep);
      }
      var data = new FormData(form);
      var fields = [];
      data.forEach(function (value, name) { if (typeof value === "string") fields.push([name, value]); });
      // The device's clock: when it was seen, even if it is sent hours later.
      if (!data.get("observed_at")) fields.push(["observed_at", new Date().toISOString()]);
      var files = photos ? photos.files() : [];
      var item = {
        client_id: idInput.value, fields: fields, label: chosenLabel(),
        photos: files.map(function (f) { return { name: f.name, type: f.type, blob: f }; }),
        queued_at: new Date().toISOString(), state: "waiting", message: "",
      };
      return box.put(item).then(function () {
        if (navigator.serviceWorker && navigator.serviceWorker.ready) {
          navigator.serviceWorker.ready.then(function (reg) {
            if (reg.sync) return reg.sync.register("outbox");
          }).catch(function () {});
        }
        form.hidden = true;
        document.querySelectorAll("[data-send-error]").forEach(function (el) { el.hidden = true; });
        queued.hidden = false;
        var heading = queued.querySelector("h1, h2");
        heading.focus();
        window.scrollTo(0, 0);
        return render();
      }).catch(function () {
        // The phone would not keep it (storage full, private mode): the form is still filled
        // in, so say so and let the resident send it again.
        document.querySelectorAll("[data-send-error]").forEach(function (el) {
          el.hidden = false; el.setAttribute("tabindex", "-1"); el.focus();
        });
      });
    }

    function isSubmit(evt) {
      return evt.detail && evt.detail.elt === form;
    }
    form.addEventListener("htmx:beforeRequest", function (evt) {
      if (isSubmit(evt) && navigator.onLine === false) { evt.preventDefault(); keep(); }
    });
    // A lost answer is kept too: sending it again is safe (the same client_id is stored once).
    ["htmx:sendError", "htmx:timeout"].forEach(function (name) {
      form.addEventListener(name, function (evt) { if (isSubmit(evt)) keep(); });
    });
    form.addEventListener("htmx:responseError", function (evt) {
      if (isSubmit(evt) && evt.detail.xhr && evt.detail.xhr.status >= 500) keep();
    });

    window.SafetyWalkOutboxReady = true; // site.js: the outbox takes over failed sends
    panel.querySelector("[data-outbox-send]").addEventListener("click", function () { syncNow(true); });
    window.addEventListener("online", function () { syncNow(false); });
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", function (e) {
        if (e.data && e.data.type === "outbox-synced") { showSent(e.data.report); render(); }
      });
    }
    render().then(function (items) { if (items.length) syncNow(false); });
    // navigator.onLine and "online" are not to be trusted (a captive portal, one bar of
    // signal): while anything waits, try again now and then.
    setInterval(function () {
      box.all().then(function (items) {
        if (items.some(function (i) { return i.state !== "refused"; })) syncNow(false);
      });
    }, 15000);
  }

  window.SafetyWalkCaptureOutbox = initOutbox;
})();
