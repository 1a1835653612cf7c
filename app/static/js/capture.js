// The capture page: the map and its pin, the phone's position, photos, dark or daylight, and
// the outbox: a report that cannot be sent now waits on the phone and goes when it can.
// Also draws the small map on a status page (data-static). Works with no tile server: the
// districts are drawn as outlines, so the map still shows where things are.
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

  function pinIcon() {
    return L.divIcon({ className: "pin", html: '<span class="pin-dot"></span>', iconSize: [28, 28], iconAnchor: [14, 34] }); // anchor at the tip
  }

  function makeMap(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    var isStatic = el.dataset.static === "true";
    var map = L.map(el, {
      center: [lat, lon], zoom: parseInt(el.dataset.zoom || "14", 10), maxZoom: 19,
      zoomControl: false, dragging: !isStatic, scrollWheelZoom: false,
      doubleClickZoom: !isStatic, touchZoom: !isStatic, keyboard: !isStatic,
      attributionControl: !!el.dataset.tileUrl,
    });
    if (!isStatic) { // the buttons' names in the page's language
      L.control.zoom({ zoomInTitle: el.dataset.zoomInLabel || "Zoom in", zoomOutTitle: el.dataset.zoomOutLabel || "Zoom out" }).addTo(map);
    }
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (!geo) return;
        L.geoJSON(geo, {
          interactive: false,
          // The class lets dark mode draw the outlines lighter (app.css).
          style: { color: "#0a4a82", weight: 2, opacity: 0.7, fillOpacity: 0.05, className: "zone-outline" },
          onEachFeature: function (feature, layer) {
            // A district's name is data: set as text, never as HTML (Leaflet would use innerHTML).
            var label = document.createElement("span");
            label.textContent = feature.properties.name;
            layer.bindTooltip(label, { permanent: true, direction: "center", className: "zone-label" });
          },
        }).addTo(map);
      }).catch(function () { /* outlines are a help, not a need */ });
    }
    if (isStatic) {
      L.marker([lat, lon], { icon: pinIcon(), keyboard: false, title: el.dataset.pinLabel, alt: el.dataset.pinLabel }).addTo(map);
    }
    return map;
  }

  function initCapture(form) {
    var mapEl = form.querySelector("[data-map]");
    var map = makeMap(mapEl);
    var marker = null, circle = null;
    // input[...]: the map's own element carries data-lat/data-lon (its centre) and comes first.
    var latIn = form.querySelector("input[data-lat]"), lonIn = form.querySelector("input[data-lon]");
    var accIn = form.querySelector("[data-accuracy]"), srcIn = form.querySelector("[data-source]");
    var status = form.querySelector("[data-position-status]");
    var warnM = parseFloat(form.dataset.gpsWarnM || "100");
    var darkTouched = false;
    var placedByHand = false; // a late automatic fix must not move a pin the resident placed
    var pin = window.SafetyWalkPin;
    var settling = null;
    if (pin) pin.zoomAroundPin(map, function () { return marker && marker.getLatLng(); });

    function say(key, values, warn) {
      status.textContent = fmt(status.dataset[key] || "", values || {});
      status.classList.toggle("notice", !!warn);
      status.classList.toggle("notice-warn", !!warn);
    }

    // quiet: a pin moved a step with the arrow keys; the daylight preset and the offers of
    // reports nearby wait until the steps stop.
    function setPin(lat, lon, source, accuracy, quiet) {
      latIn.value = lat.toFixed(6);
      lonIn.value = lon.toFixed(6);
      srcIn.value = source;
      accIn.value = accuracy == null ? "" : String(Math.round(accuracy));
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, icon: pinIcon(), title: mapEl.dataset.pinLabel, alt: mapEl.dataset.pinLabel, autoPan: true }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          placedByHand = true;
          setPin(p.lat, p.lng, "map", null);
          say("msgMoved");
        });
        if (pin) {
          pin.movableByKeys(map, marker, mapEl.dataset.pinHint, function (p) {
            placedByHand = true;
            setPin(p.lat, p.lng, "map", null, true);
            say("msgMovedKeys");
          });
        }
      } else {
        marker.setLatLng([lat, lon]);
      }
      if (circle) { map.removeLayer(circle); circle = null; }
      if (accuracy != null) {
        circle = L.circle([lat, lon], { radius: accuracy, interactive: false, color: "#0a4a82", weight: 1, fillOpacity: 0.1, className: "accuracy-circle" }).addTo(map);
      }
      clearTimeout(settling);
      if (quiet) { settling = setTimeout(function () { settled(lat, lon); }, 600); return; }
      settled(lat, lon);
    }
    function settled(lat, lon) {
      presetDark(lat, lon);
      form.dispatchEvent(new CustomEvent("position:set"));
    }

    map.on("click", function (e) {
      placedByHand = true;
      setPin(e.latlng.lat, e.latlng.lng, "map", null);
      say("msgMoved");
    });

    // No position, or a poor one: the map comes into view above the send bar, and the message
    // says to place the pin by hand. Focus goes to the message when the resident asked (the
    // button, a photo); on opening the page it is not taken from where the resident is.
    function nudge(asked) {
      if (!pin) return;
      var idle = document.activeElement === document.body || document.activeElement === document.getElementById("main");
      if (!asked && !idle) return;
      // A photo still being made smaller pushes the map down when its preview appears: wait.
      if (photos && photos.busy()) {
        form.addEventListener("photos:ready", function () { pin.nudge(mapEl, status, asked); }, { once: true });
      } else {
        pin.nudge(mapEl, status, asked);
      }
    }

    // how: "button" (asked for), "photo" (a photo came without a place) or "open" (the page
    // opened with the permission already given).
    function locate(how) {
      var auto = how !== "button";
      if (!navigator.geolocation) { say("msgDenied", null, true); nudge(how !== "open"); return; }
      say("msgLocating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        if (auto && placedByHand) return;
        var c = pos.coords;
        setPin(c.latitude, c.longitude, "gps", c.accuracy);
        if (circle && pin) pin.fitCircle(map, circle);
        else map.setView([c.latitude, c.longitude], Math.max(map.getZoom(), c.accuracy > warnM ? 15 : 17));
        if (c.accuracy > warnM) {
          say("msgImprecise", { m: Math.round(c.accuracy) }, true);
          nudge(how !== "open");
        } else {
          say("msgFound", { m: Math.round(c.accuracy) });
        }
      }, function () {
        if (auto && placedByHand) return;
        say("msgDenied", null, true);
        nudge(how !== "open");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    }
    form.querySelector("[data-locate]").addEventListener("click", function () { locate("button"); });
    // Without a pointer (keyboard, switch access): pan the map with the arrow keys, then pin.
    form.querySelector("[data-pin-centre]").addEventListener("click", function () {
      var c = map.getCenter();
      placedByHand = true;
      setPin(c.lat, c.lng, "map", null);
      say("msgMoved");
    });
    // Ask at once only when the visitor already allowed it; otherwise wait for the button.
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({ name: "geolocation" }).then(function (p) {
        if (p.state === "granted" && !latIn.value) locate("open");
      }).catch(function () {});
    }
    if (latIn.value && lonIn.value) {
      setPin(parseFloat(latIn.value), parseFloat(lonIn.value), srcIn.value || "map", accIn.value ? parseFloat(accIn.value) : null);
      map.setView([parseFloat(latIn.value), parseFloat(lonIn.value)], 16);
    }

    // Dark or daylight: preset from the sun once the place is known, unless the resident chose.
    form.querySelectorAll("[data-dark]").forEach(function (r) {
      r.addEventListener("change", function () { darkTouched = true; });
    });
    function presetDark(lat, lon) {
      if (darkTouched || navigator.onLine === false) return; // offline: the server's preset stays
      // One decimal (about 10 km) is plenty for the sun, and keeps a resident's exact
      // position out of the server's access log.
      fetch("/capture/daylight?lat=" + lat.toFixed(1) + "&lon=" + lon.toFixed(1))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d || darkTouched) return;
          var radio = form.querySelector('[data-dark][value="' + (d.dark ? "dark" : "daylight") + '"]');
          if (radio) radio.checked = true;
        }).catch(function () {});
    }

    // A good place is not rated for unsafety.
    var unsafeParts = form.querySelectorAll("[data-unsafe]");
    form.querySelectorAll('input[name="category"]').forEach(function (r) {
      r.addEventListener("change", function () {
        var good = r.checked && r.dataset.kind === "good";
        unsafeParts.forEach(function (part) {
          part.hidden = good;
          if (good) part.querySelectorAll("input").forEach(function (i) { i.checked = false; });
        });
      });
    });

    var photos = initPhotos(form);
    // The place is read when the photo is taken, if it is not known yet.
    form.addEventListener("photo:added", function () { if (!latIn.value) locate("photo"); });
    initOutbox(form, photos);

    // "Me too": once the kind and the place are known, offer open reports like it nearby.
    var slot = form.querySelector("[data-me-too-slot]");
    function offerNearby() {
      var chosen = form.querySelector('input[name="category"]:checked');
      if (navigator.onLine === false) return;
      if (!chosen || !latIn.value || !lonIn.value || typeof htmx === "undefined") return;
      var asked = htmx.ajax("POST", "/capture/nearby", {
        target: slot, swap: "innerHTML",
        values: { category: chosen.value, lat: latIn.value, lon: lonIn.value },
      });
      if (asked && asked.catch) asked.catch(function () { /* offline: no offers, no harm */ });
    }
    form.querySelectorAll('input[name="category"]').forEach(function (r) {
      r.addEventListener("change", offerNearby);
    });
    form.addEventListener("position:set", offerNearby);
    slot.addEventListener("click", function (e) {
      var button = e.target.closest("[data-me-too]");
      if (!button) return;
      var level = form.querySelector('input[name="unsafe_level"]:checked');
      htmx.ajax("POST", "/observations/" + button.dataset.meToo + "/support", {
        target: "#capture", swap: "outerHTML",
        values: { client_id: form.querySelector('input[name="client_id"]').value,
                  unsafe_level: level ? level.value : "" },
      });
    });
  }

  // Photos from the camera button and the gallery button gather in one hidden input, so the
  // resident can take one, choose another, and remove any before sending.
  // A phone's photo is 4000 px and 5 MB; the server keeps 2048 px at most. Scaled here, the
  // upload is a few hundred kB, which is what gets through on one bar of signal. A photo
  // already small enough is sent as it is (with its EXIF, whose position may be needed).
  var LONG_SIDE = 2048, SMALL_ENOUGH = 1.5 * 1024 * 1024;
  function scalePhoto(file) {
    if (typeof createImageBitmap === "undefined" || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file); // HEIC and the like: the server converts them
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var long = Math.max(bitmap.width, bitmap.height);
      if (long <= LONG_SIDE && file.size <= SMALL_ENOUGH) { bitmap.close(); return file; }
      var scale = Math.min(1, LONG_SIDE / long);
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; }); // not decodable here: let the server judge it
  }

  function initPhotos(form) {
    var max = parseInt(form.dataset.maxPhotos || "3", 10);
    var pickers = form.querySelectorAll("[data-photo-input]");
    var list = form.querySelector("[data-photo-previews]");
    if (typeof DataTransfer === "undefined") return null; // the plain inputs keep working
    var bag = document.createElement("input");
    bag.type = "file"; bag.name = "photo"; bag.multiple = true; bag.hidden = true;
    bag.setAttribute("aria-hidden", "true"); bag.tabIndex = -1;
    form.appendChild(bag);
    var files = [];
    var scaling = 0;
    var submit = form.querySelector("button[type=submit]");
    pickers.forEach(function (input) {
      input.removeAttribute("name");
      input.addEventListener("change", function () {
        var chosen = Array.prototype.slice.call(input.files, 0, Math.max(0, max - files.length));
        input.value = "";
        form.dispatchEvent(new CustomEvent("photo:added"));
        // Send waits until the photos are scaled, so none is sent without them.
        scaling += 1;
        submit.disabled = true;
        Promise.all(chosen.map(scalePhoto)).then(function (scaled) {
          scaled.forEach(function (f) { if (files.length < max) files.push(f); });
          sync();
        }).finally(function () {
          scaling -= 1;
          if (!scaling) { submit.disabled = false; form.dispatchEvent(new CustomEvent("photos:ready")); }
        });
      });
    });
    function sync() {
      var dt = new DataTransfer();
      files.forEach(function (f) { dt.items.add(f); });
      bag.files = dt.files;
      list.innerHTML = "";
      files.forEach(function (f, i) {
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.src = URL.createObjectURL(f);
        img.alt = fmt(list.dataset.photoAlt, { n: i + 1 });
        li.dataset.bytes = String(f.size);
        var rm = document.createElement("button");
        rm.type = "button"; rm.textContent = "×";
        rm.setAttribute("aria-label", fmt(list.dataset.removeLabel, { n: i + 1 }));
        rm.addEventListener("click", function () { files.splice(i, 1); sync(); });
        li.appendChild(img); li.appendChild(rm); list.appendChild(li);
      });
      pickers.forEach(function (p) { p.disabled = files.length >= max; });
      var status = form.querySelector("[data-position-status]");
      // Not over a warning: "tap the map" says more than "perhaps the photo knows".
      if (files.length && !form.querySelector("input[data-lat]").value && status.dataset.msgPhoto && !status.classList.contains("notice-warn")) {
        status.textContent = status.dataset.msgPhoto;
      }
    }
    return { files: function () { return files.slice(); }, busy: function () { return scaling > 0; } };
  }

  // The outbox: when the phone is offline, or the upload fails or times out, the report is
  // kept on the phone (IndexedDB, with its photos and client_id) and sent when the network
  // returns: on "online", on the next page open, with the button, or by Background Sync.
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

  function init() {
    var form = document.getElementById("capture");
    if (form && form.tagName === "FORM") initCapture(form);
    document.querySelectorAll('[data-map][data-static="true"]').forEach(makeMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
