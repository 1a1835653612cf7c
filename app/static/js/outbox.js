// The outbox on the device: observations that could not be sent yet, kept in IndexedDB with
// their photos until the server has them. Used by the capture page and by the service worker
// (Background Sync), so both send the same way: one idempotent POST /observations per item,
// keyed by the item's client_id, so a retry after a lost answer is stored once.
(function (root) {
  "use strict";

  // SENT: what was sent and its tracking link, until the page moves it to "My reports"
  // (my-reports.js; the service worker cannot reach the page's localStorage).
  var DB = "safetywalk", STORE = "outbox", SENT = "sent", VERSION = 2;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, VERSION);
      req.onupgradeneeded = function () {
        [STORE, SENT].forEach(function (name) {
          if (!req.result.objectStoreNames.contains(name)) {
            req.result.createObjectStore(name, { keyPath: "client_id" });
          }
        });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onblocked = function () { reject(new Error("outbox blocked by another tab")); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, work, stores) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores || STORE, mode);
        var result = stores ? work(t) : work(t.objectStore(STORE));
        t.oncomplete = function () {
          db.close();
          resolve(typeof IDBRequest !== "undefined" && result instanceof IDBRequest ? result.result : result);
        };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  // An item: {client_id, fields: [[name, value]...], photos: [{name, type, blob}], label,
  // queued_at, state: "waiting" | "refused", message}.
  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  // Write it back only if the resident has not deleted it meanwhile.
  function update(item) {
    return tx("readwrite", function (s) {
      var got = s.get(item.client_id);
      got.onsuccess = function () { if (got.result) s.put(item); };
    });
  }
  function remove(clientId) { return tx("readwrite", function (s) { return s.delete(clientId); }); }
  function all() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
    });
  }

  // Sent: off the outbox and into SENT in one step, so a closed page loses no link.
  function settle(item, url) {
    return tx("readwrite", function (t) {
      t.objectStore(STORE).delete(item.client_id);
      t.objectStore(SENT).put({
        client_id: item.client_id, label: item.label, url: url, queued_at: item.queued_at,
      });
    }, [STORE, SENT]);
  }
  // What was sent and not yet kept by a page (oldest first). They stay in SENT until the page
  // says it kept them (forgetSent): a page that cannot store them loses no link.
  function sentLinks() {
    var got;
    return tx("readonly", function (t) {
      got = t.objectStore(SENT).getAll();
    }, [SENT]).then(function () { return got.result || []; });
  }
  function forgetSent(clientIds) {
    if (!clientIds.length) return Promise.resolve();
    return tx("readwrite", function (t) {
      var store = t.objectStore(SENT);
      clientIds.forEach(function (id) { store.delete(id); });
    }, [SENT]);
  }

  function formData(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    item.photos.forEach(function (p) { data.append("photo", p.blob, p.name); });
    return data;
  }

  // Send one item. Resolves to {outcome: "stored" | "already_stored" | "refused" | "waiting",
  // message, url}; "waiting" means try again later (no network, a timeout, a server error).
  function send(item, timeoutMs) {
    var controller = typeof AbortController !== "undefined" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 60000) : null;
    return fetch("/observations", {
      method: "POST", body: formData(item), credentials: "same-origin",
      headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined,
    }).then(function (r) {
      if (timer) clearTimeout(timer);
      // Only our own answer counts: a captive portal's page or a proxy's error is not one.
      if (r.redirected || r.status >= 500) return { outcome: "waiting" };
      return r.json().then(function (body) {
        if (r.ok && (body.result === "stored" || body.result === "already_stored")) {
          return { outcome: body.result, url: body.url };
        }
        if (!r.ok && (body.result === "refused" || body.error)) {
          var errors = body.errors || { error: body.error };
          var message = Object.keys(errors).map(function (k) { return errors[k]; }).join(" ");
          return { outcome: "refused", message: message || String(r.status) };
        }
        return { outcome: "waiting" };
      }, function () { return { outcome: "waiting" }; });
    }, function () {
      if (timer) clearTimeout(timer);
      return { outcome: "waiting" };
    });
  }

  var syncing = null;
  // Send every waiting item, one after the other; refused ones stay with their message. One
  // sender at a time across tabs and the service worker (Web Locks), so nothing is sent twice.
  function sync() {
    if (syncing) return syncing;
    var run = function () { return all().then(sendAll); };
    syncing = (typeof navigator !== "undefined" && navigator.locks
      ? navigator.locks.request("safetywalk-outbox", run)
      : run()
    ).finally(function () { syncing = null; });
    return syncing;
  }
  function isSyncing() { return syncing !== null; }

  function sendAll(items) {
    var report = { stored: [], refused: 0, waiting: 0 };
    return items.filter(function (i) { return i.state !== "refused"; }).reduce(function (chain, item) {
      return chain.then(function () {
        return send(item).then(function (answer) {
          if (answer.outcome === "stored" || answer.outcome === "already_stored") {
            report.stored.push({ label: item.label, url: answer.url });
            return settle(item, answer.url);
          }
          if (answer.outcome === "refused") {
            report.refused += 1;
            item.state = "refused"; item.message = answer.message;
            return update(item);
          }
          report.waiting += 1;
        });
      });
    }, Promise.resolve()).then(function () { return report; });
  }

  root.SafetyWalkOutbox = {
    put: put, update: update, remove: remove, all: all, send: send, sync: sync, isSyncing: isSyncing,
    sentLinks: sentLinks,
    forgetSent: forgetSent,
  };
})(typeof self !== "undefined" ? self : window);
