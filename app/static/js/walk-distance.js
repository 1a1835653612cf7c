// On a walk, the list of what others logged: each item's distance from the phone, nearest
// first. The position is asked for only when the site already may read it, or when the
// participant presses "Sort by distance"; without it the list keeps the server's order
// (newest first) and says why. The list is polled and swapped by htmx: each new copy is sorted
// again with the last position, and the bar (button and message) is kept across swaps
// (hx-preserve). Texts come from the template's data-* attributes.
(function () {
  "use strict";

  var THROTTLE_MS = 5000;  // re-sort at most this often while the phone moves
  var state = { pos: null, watch: null, error: null, asked: false, applied: 0, timer: null, paused: false };

  function bar() { return document.querySelector("[data-distance-bar]"); }
  function list() { return document.querySelector("[data-distance-list]"); }

  function say(key) {
    var b = bar();
    if (!b) return;
    var status = b.querySelector("[data-distance-status]");
    var text = b.dataset["msg" + key] || "";
    if (status && status.textContent !== text) status.textContent = text;
  }

  // Great-circle distance in metres (haversine; plenty for a walk's few hundred metres).
  function metres(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 6371008.8 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  // "120 m", "1,2 km" (Swedish) / "1.2 km" (English): the page's language decides.
  function formatDistance(m) {
    var lang = document.documentElement.lang || undefined;
    var nbsp = "\u00a0";
    if (m < 1000) return String(Math.max(10, Math.round(m / 10) * 10)) + nbsp + "m";
    var km = m / 1000;
    var digits = km < 10 ? 1 : 0;
    var text;
    try {
      text = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(km);
    } catch (e) {
      text = km.toFixed(digits);
    }
    return text + nbsp + "km";
  }

  function apply() {
    state.applied = Date.now();
    var ul = list();
    if (!ul || !state.pos) return;
    var here = state.pos.coords;
    var template = ul.dataset.away || "{distance}";
    var rows = Array.prototype.slice.call(ul.querySelectorAll(":scope > li[data-lat]"));
    rows.forEach(function (li, i) {
      if (li.dataset.order === undefined) li.dataset.order = String(i);  // the server's order
      var d = metres(here.latitude, here.longitude, parseFloat(li.dataset.lat), parseFloat(li.dataset.lon));
      li.dataset.metres = String(Math.round(d));
      var slot = li.querySelector("[data-distance]");
      if (slot) {
        slot.textContent = template.replace("{distance}", formatDistance(d));
        slot.hidden = false;
      }
    });
    var sorted = rows.slice().sort(function (a, b) {
      return (parseFloat(a.dataset.metres) - parseFloat(b.dataset.metres)) ||
        (parseInt(a.dataset.order, 10) - parseInt(b.dataset.order, 10));
    });
    var changed = sorted.some(function (li, i) { return li !== rows[i]; });
    if (changed) {
      var focused = document.activeElement;
      sorted.forEach(function (li) { ul.appendChild(li); });
      if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus({ preventScroll: true });
    }
    ul.dataset.sorted = "distance";
    var button = bar() && bar().querySelector("[data-sort-distance]");
    if (button) button.hidden = true;
    say("Sorted");
  }

  function onPosition(pos) {
    var first = !state.pos;
    state.pos = pos;
    state.error = null;
    if (state.timer) return;  // an update is already due
    var wait = THROTTLE_MS - (Date.now() - state.applied);
    if (first || wait <= 0) { apply(); return; }
    state.timer = window.setTimeout(function () { state.timer = null; apply(); }, wait);
  }

  function onError(err) {
    if (state.pos && err.code !== err.PERMISSION_DENIED) return;  // keep the last good sort
    state.error = err.code === err.PERMISSION_DENIED ? "Denied" : "Unavailable";
    if (err.code === err.PERMISSION_DENIED && state.watch !== null) {
      navigator.geolocation.clearWatch(state.watch);
      state.watch = null;
    }
    var button = bar() && bar().querySelector("[data-sort-distance]");
    if (button) button.hidden = false;
    say(state.error);
  }

  function start() {
    if (state.watch !== null) { if (state.pos) apply(); return; }
    say("Finding");
    state.watch = navigator.geolocation.watchPosition(onPosition, onError, {
      enableHighAccuracy: true, maximumAge: 10000, timeout: 20000,
    });
  }

  function setup() {
    var b = bar();
    if (!b || !list()) return;
    if (!b.dataset.ready) {
      b.dataset.ready = "1";
      b.hidden = false;
      var button = b.querySelector("[data-sort-distance]");
      if (!("geolocation" in navigator)) {
        if (button) button.hidden = true;
        say("Unsupported");
        return;
      }
      if (button) button.addEventListener("click", function () {
        if (state.watch !== null && state.error) { navigator.geolocation.clearWatch(state.watch); state.watch = null; }
        start();
      });
    }
    if (!("geolocation" in navigator)) return;
    if (state.pos) { apply(); return; }
    if (state.asked) return;
    state.asked = true;
    // Ask by itself only when the site may already read the position: no prompt on load.
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({ name: "geolocation" }).then(function (p) {
        if (p.state === "granted") start();
        else if (p.state === "denied") say("Denied");
      }).catch(function () { /* the button still works */ });
    }
  }

  // The watch keeps the GPS on: stop it while the page is hidden (phone in the pocket), and
  // start it again when the page is back, if it was running.
  document.addEventListener("visibilitychange", function () {
    if (!("geolocation" in navigator)) return;
    if (document.hidden && state.watch !== null) {
      navigator.geolocation.clearWatch(state.watch);
      state.watch = null;
      state.paused = true;
    } else if (!document.hidden && state.paused) {
      state.paused = false;
      start();
    }
  });

  document.addEventListener("DOMContentLoaded", setup);
  // A polled or co-signed list arrives in the server's order: sort it again at once.
  document.addEventListener("htmx:afterSwap", setup);
})();
