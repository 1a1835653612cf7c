// SafetyWalk's service worker (rendered by GET /sw.js; its version changes with the assets).
// The capture page, a walk's capture page and their assets open with no network once visited;
// observations made offline wait in the device's outbox (outbox.js) and are sent by the page,
// or here by Background Sync where the browser has it. Staff pages are never cached.
"use strict";

var VERSION = {{ version | tojson }};
var CACHE = "safetywalk-" + VERSION;
var PRECACHE = {{ precache | tojson }};
// Pages a resident may need offline: the capture page, and a walk joined while online.
var OFFLINE_PAGES = [/^\/$/, /^\/w\/[A-Za-z0-9-]{1,32}$/];

importScripts("/static/js/outbox.js");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(PRECACHE); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("safetywalk-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
      .then(keepOpenPages)
  );
});

// The page that installed this worker was loaded before it: keep a copy of it now, so a
// walk joined a minute ago still opens when the network goes.
function keepOpenPages() {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    return Promise.all(clients.map(function (client) {
      var url = new URL(client.url);
      if (!OFFLINE_PAGES.some(function (re) { return re.test(url.pathname); })) return null;
      return fetch(url.pathname, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok || /no-store/.test(response.headers.get("Cache-Control") || "")) return null;
        return caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, response); });
      }).catch(function () { return null; });
    }));
  });
}

function remember(key, response) {
  // "no-store": a page made for a signed-in member of staff is never kept.
  var noStore = response && /no-store/.test(response.headers.get("Cache-Control") || "");
  if (response && response.ok && !noStore) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // posts go to the network; the page keeps what fails
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    if (!OFFLINE_PAGES.some(function (re) { return re.test(url.pathname); })) return;
    // The network first (a fresh form, the walk's current state), the copy when offline or
    // when one bar of signal has not answered within 4 seconds.
    var network = fetch(request).then(function (response) { return remember(url.pathname, response); });
    var copy = function () {
      return caches.match(url.pathname).then(function (hit) { return hit || caches.match("/"); });
    };
    event.respondWith(new Promise(function (resolve, reject) {
      var done = false;
      var timer = setTimeout(function () {
        copy().then(function (hit) { if (hit && !done) { done = true; resolve(hit); } });
      }, 4000);
      network.then(function (response) {
        clearTimeout(timer);
        if (!done) { done = true; resolve(response); }
      }, function () {
        clearTimeout(timer);
        copy().then(function (hit) {
          if (done) return;
          done = true;
          if (hit) resolve(hit); else reject(new Error("offline, and no copy kept"));
        });
      });
    }));
    return;
  }
  if (url.pathname === "/zones.geojson" || url.pathname === "/manifest.webmanifest") {
    // The copy at once, refreshed in the background.
    event.respondWith(
      caches.match(url.pathname).then(function (hit) {
        var fresh = fetch(request).then(function (r) { return remember(url.pathname, r); });
        return hit || fresh;
      })
    );
    return;
  }
  if (PRECACHE.indexOf(url.pathname) !== -1) {
    // Versioned with this worker: the cache first. Other files (staff pages' scripts) are left
    // to the network and the browser's own cache.
    event.respondWith(
      caches.match(url.pathname).then(function (hit) {
        return hit || fetch(request).then(function (r) { return remember(url.pathname, r); });
      })
    );
  }
});

// Background Sync: send the outbox even when no page is open, then tell open pages.
self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") return;
  event.waitUntil(
    self.SafetyWalkOutbox.sync().then(function (report) {
      return self.clients.matchAll({ type: "window" }).then(function (clients) {
        clients.forEach(function (c) { c.postMessage({ type: "outbox-synced", report: report }); });
        // Still waiting: fail, so that the browser tries again later.
        if (report.waiting) throw new Error("outbox: " + report.waiting + " still waiting");
      });
    })
  );
});
