// The capture page: the map and its pin, the phone's position, photos, dark or daylight; the
// outbox (a report that cannot be sent now waits on the phone) is capture-outbox.js.
// Also draws the small map on a status page (data-static). Works with no tile server: the
// districts are drawn as outlines, so the map still shows where things are.
(function () {
  "use strict";

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
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
    if (window.SafetyWalkCaptureOutbox) window.SafetyWalkCaptureOutbox(form, photos); // capture-outbox.js

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

  function init() {
    var form = document.getElementById("capture");
    if (form && form.tagName === "FORM") initCapture(form);
    document.querySelectorAll('[data-map][data-static="true"]').forEach(makeMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
