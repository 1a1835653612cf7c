// The capture page: the map and its pin, the phone's position, photos, dark or daylight.
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
      center: [lat, lon], zoom: parseInt(el.dataset.zoom || "14", 10),
      zoomControl: !isStatic, dragging: !isStatic, scrollWheelZoom: false,
      doubleClickZoom: !isStatic, touchZoom: !isStatic, keyboard: !isStatic,
      attributionControl: !!el.dataset.tileUrl,
    });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (!geo) return;
        L.geoJSON(geo, {
          interactive: false,
          style: { color: "#0a4a82", weight: 2, opacity: 0.7, fillOpacity: 0.05 },
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "zone-label" });
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

    function say(key, values, warn) {
      status.textContent = fmt(status.dataset[key] || "", values || {});
      status.classList.toggle("notice", !!warn);
      status.classList.toggle("notice-warn", !!warn);
    }

    function setPin(lat, lon, source, accuracy) {
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
      } else {
        marker.setLatLng([lat, lon]);
      }
      if (circle) { map.removeLayer(circle); circle = null; }
      if (accuracy != null) {
        circle = L.circle([lat, lon], { radius: accuracy, interactive: false, color: "#0a4a82", weight: 1, fillOpacity: 0.1 }).addTo(map);
      }
      presetDark(lat, lon);
      form.dispatchEvent(new CustomEvent("position:set"));
    }

    map.on("click", function (e) {
      placedByHand = true;
      setPin(e.latlng.lat, e.latlng.lng, "map", null);
      say("msgMoved");
    });

    function locate(auto) {
      if (!navigator.geolocation) { say("msgDenied", null, true); return; }
      say("msgLocating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        if (auto && placedByHand) return;
        var c = pos.coords;
        setPin(c.latitude, c.longitude, "gps", c.accuracy);
        map.setView([c.latitude, c.longitude], Math.max(map.getZoom(), c.accuracy > warnM ? 15 : 17));
        if (c.accuracy > warnM) say("msgImprecise", { m: Math.round(c.accuracy) }, true);
        else say("msgFound", { m: Math.round(c.accuracy) });
      }, function () {
        if (auto && placedByHand) return;
        say("msgDenied", null, true);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    }
    form.querySelector("[data-locate]").addEventListener("click", function () { locate(false); });
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
        if (p.state === "granted" && !latIn.value) locate(true);
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
      if (darkTouched) return;
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
    var scale = form.querySelector("[data-unsafe]");
    form.querySelectorAll('input[name="category"]').forEach(function (r) {
      r.addEventListener("change", function () {
        var good = r.checked && r.dataset.kind === "good";
        scale.hidden = good;
        if (good) scale.querySelectorAll("input").forEach(function (i) { i.checked = false; });
      });
    });

    initPhotos(form);

    // "Me too": once the kind and the place are known, offer open reports like it nearby.
    var slot = form.querySelector("[data-me-too-slot]");
    function offerNearby() {
      var chosen = form.querySelector('input[name="category"]:checked');
      if (!chosen || !latIn.value || !lonIn.value || typeof htmx === "undefined") return;
      htmx.ajax("POST", "/capture/nearby", {
        target: slot, swap: "innerHTML",
        values: { category: chosen.value, lat: latIn.value, lon: lonIn.value },
      });
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
  function initPhotos(form) {
    var max = parseInt(form.dataset.maxPhotos || "3", 10);
    var pickers = form.querySelectorAll("[data-photo-input]");
    var list = form.querySelector("[data-photo-previews]");
    if (typeof DataTransfer === "undefined") return; // the plain inputs keep working
    var bag = document.createElement("input");
    bag.type = "file"; bag.name = "photo"; bag.multiple = true; bag.hidden = true;
    bag.setAttribute("aria-hidden", "true"); bag.tabIndex = -1;
    form.appendChild(bag);
    var files = [];
    pickers.forEach(function (input) {
      input.removeAttribute("name");
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files, function (f) { if (files.length < max) files.push(f); });
        input.value = "";
        sync();
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
        var rm = document.createElement("button");
        rm.type = "button"; rm.textContent = "×";
        rm.setAttribute("aria-label", fmt(list.dataset.removeLabel, { n: i + 1 }));
        rm.addEventListener("click", function () { files.splice(i, 1); sync(); });
        li.appendChild(img); li.appendChild(rm); list.appendChild(li);
      });
      pickers.forEach(function (p) { p.disabled = files.length >= max; });
      var status = form.querySelector("[data-position-status]");
      if (files.length && !form.querySelector("input[data-lat]").value && status.dataset.msgPhoto) {
        status.textContent = status.dataset.msgPhoto;
      }
    }
  }

  function init() {
    var form = document.getElementById("capture");
    if (form && form.tagName === "FORM") initCapture(form);
    document.querySelectorAll('[data-map][data-static="true"]').forEach(makeMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
