// Planners' maps. The history map shows a view's reports (grouped in clusters or as a heat map,
// coloured by status), its good places and recurring spots as their own layers, and the area's
// outline; it reloads its points when htmx brings new filters (the URL sits on a hidden element
// in the swapped results). The drawing map on /planning/area adds corners where one taps, or at
// the cross for keyboard users, and keeps the polygon as GeoJSON in the form's hidden field.
// Tiles are a setting: without a tile server the outline and markers draw on a plain background.
(function () {
  "use strict";

  var FIXED = { fixed: true, verified: true };
  var CLOSED_OTHERWISE = { duplicate: true, not_ours: true, wont_fix: true };

  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function baseMap(el) {
    var map = L.map(el, {
      center: [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)],
      zoom: parseInt(el.dataset.zoom, 10), maxZoom: 19, scrollWheelZoom: false,
      zoomSnap: 0.5,  // an area fills its map more closely than whole zoom steps allow
      attributionControl: !!el.dataset.tileUrl,
    });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    return map;
  }

  function group(p) {
    if (p.good) return "good";
    if (FIXED[p.status]) return "fixed";
    if (CLOSED_OTHERWISE[p.status]) return "closed";
    return "open";
  }

  function pin(p, latlng, labels) {
    var category = (labels.category || {})[p.category] || p.category;
    var status = (labels.status || {})[p.status] || p.status;
    var title = "#" + p.id + " " + category + (p.good ? "" : ", " + status);
    var marker = L.marker(latlng, {
      icon: L.divIcon({ className: "plan-pin is-" + group(p), html: "<span></span>", iconSize: [24, 24], iconAnchor: [12, 12] }),
      title: title, alt: title, keyboard: true,
    });
    // Text from data goes in as text, never as HTML.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/reports/" + p.id;
    link.textContent = title;
    var meta = document.createElement("p");
    meta.textContent = fmt(labels.reported, { day: p.reported_on });
    box.appendChild(link);
    box.appendChild(meta);
    marker.bindPopup(box);
    return marker;
  }

  function spotRing(s, labels) {
    var title = fmt(labels.spot, { n: s.n, count: s.count });
    return L.marker([s.lat, s.lon], {
      pane: "spots",
      icon: L.divIcon({ className: "spot-ring", html: "<span><b>" + parseInt(s.n, 10) + "</b></span>", iconSize: [56, 56], iconAnchor: [28, 28] }),
      // A ring around the place, not a target: the numbered list of spots says the same in
      // words, and a second target over a cluster would be too close to hit.
      alt: title, interactive: false, keyboard: false,
    });
  }

  function historyMap(el) {
    var labels = JSON.parse(el.dataset.labels || "{}");
    var note = document.getElementById("planning-map-note");
    var map = baseMap(el);
    // Recurring spots are halos under the reports (a pane below the markers), so that no
    // report is hidden behind one.
    map.createPane("spots").style.zIndex = 550;
    var layers = {
      clusters: L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 80, animate: false }),
      heat: L.heatLayer ? L.heatLayer([], { radius: 22, blur: 16, maxZoom: 16 }) : null,
      good: L.layerGroup(),
      spots: L.layerGroup(),
      outline: null,
    };
    try {
      layers.outline = L.geoJSON(JSON.parse(el.dataset.outline), {
        interactive: false, style: { color: "#b34700", weight: 3, opacity: 0.9, fillOpacity: 0.04 },
      });
      map.fitBounds(layers.outline.getBounds(), { padding: [16, 16], maxZoom: 17 });
    } catch (e) { /* no outline: the map stays on the town centre */ }
    var switches = document.querySelector("[data-planning-layers]");
    var heatPoints = [];

    function show(layer, on) {
      if (!layer) return;
      if (on && !map.hasLayer(layer)) map.addLayer(layer);
      if (!on && map.hasLayer(layer)) map.removeLayer(layer);
    }
    function checked(selector) {
      var input = switches && switches.querySelector(selector);
      return input ? input.checked : true;
    }
    // Good places are their own layer, but share the clusters with the reports while those
    // are grouped: two layers of markers side by side would put targets on top of each other.
    var goodPins = [];
    var goodClustered = false;
    function apply() {
      var asHeat = switches && switches.querySelector("input[value=heat]").checked;
      var good = checked("input[value=good]");
      var wantClustered = good && !asHeat;
      if (wantClustered !== goodClustered) {
        if (wantClustered) layers.clusters.addLayers(goodPins); else layers.clusters.removeLayers(goodPins);
        goodClustered = wantClustered;
      }
      show(layers.clusters, !asHeat);
      show(layers.heat, asHeat && heatPoints.length > 0);
      show(layers.good, good && asHeat);
      show(layers.spots, checked("input[value=spots]"));
      show(layers.outline, checked("input[value=outline]"));
    }
    if (switches) switches.addEventListener("change", apply);

    var current = null;
    function load() {
      var source = document.querySelector("[data-planning-points]");
      if (!source || source.dataset.planningPoints === current) return;
      current = source.dataset.planningPoints;
      layers.spots.clearLayers();
      JSON.parse(source.dataset.spots || "[]").forEach(function (s) { layers.spots.addLayer(spotRing(s, labels)); });
      fetch(current, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (geo) {
          layers.clusters.clearLayers();
          layers.good.clearLayers();
          goodClustered = false;
          heatPoints = [];
          goodPins = [];
          var pins = [];
          geo.features.forEach(function (f) {
            var c = f.geometry.coordinates;
            if (f.properties.good) {
              goodPins.push(pin(f.properties, [c[1], c[0]], labels));
              layers.good.addLayer(pin(f.properties, [c[1], c[0]], labels));
              return;
            }
            pins.push(pin(f.properties, [c[1], c[0]], labels));
            heatPoints.push([c[1], c[0]]);
          });
          layers.clusters.addLayers(pins);
          if (layers.heat) layers.heat.setLatLngs(heatPoints);
          apply();
          if (note) note.textContent = geo.total > geo.features.length ? fmt(labels.capped, { shown: geo.features.length, total: geo.total }) : "";
          el.dataset.markers = String(geo.features.length);
        })
        .catch(function () { if (note) note.textContent = labels.failed || ""; });
    }
    apply();
    load();
    document.addEventListener("htmx:afterSettle", load);
  }

  function drawing(el) {
    var form = el.closest("form");
    var field = form.querySelector("[data-draw-geometry]");
    var count = form.querySelector("[data-draw-count]");
    var map = baseMap(el);
    var corners = [];
    var shape = null;
    var dots = L.layerGroup().addTo(map);
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (geo) L.geoJSON(geo, { interactive: false, style: { color: "#0a4a82", weight: 2, opacity: 0.6, fillOpacity: 0.03 } }).addTo(map);
      }).catch(function () { /* the districts are a help for orientation, not a need */ });
    }
    try {
      var kept = JSON.parse(field.value || "null");
      if (kept && kept.type === "Polygon") corners = kept.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
    } catch (e) { /* a broken value is drawn again from scratch */ }

    function lonlat(p) { return [Math.round(p.lng * 1e6) / 1e6, Math.round(p.lat * 1e6) / 1e6]; }
    function render() {
      if (shape) map.removeLayer(shape);
      shape = null;
      dots.clearLayers();
      corners.forEach(function (p) {
        dots.addLayer(L.circleMarker(p, { radius: 6, color: "#ffffff", weight: 2, fillColor: "#b34700", fillOpacity: 1, interactive: false }));
      });
      if (corners.length >= 3) {
        shape = L.polygon(corners, { color: "#b34700", weight: 3, fillOpacity: 0.12, interactive: false }).addTo(map);
        var ring = corners.map(lonlat);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring.concat([ring[0]])] });
      } else {
        if (corners.length === 2) shape = L.polyline(corners, { color: "#b34700", weight: 3, interactive: false }).addTo(map);
        field.value = "";
      }
      var n = corners.length;
      count.textContent = n === 0 ? el.dataset.cornersNone : n === 1 ? el.dataset.cornersOne : fmt(el.dataset.cornersMany, { n: n });
      el.dataset.corners = String(n);
    }
    map.on("click", function (e) { corners.push(e.latlng); render(); });
    form.querySelector("[data-draw-centre]").addEventListener("click", function () { corners.push(map.getCenter()); render(); });
    form.querySelector("[data-draw-undo]").addEventListener("click", function () { corners.pop(); render(); });
    form.querySelector("[data-draw-clear]").addEventListener("click", function () { corners = []; render(); });
    render();
    if (corners.length) map.fitBounds(L.latLngBounds(corners), { padding: [24, 24], maxZoom: 17 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-planning-map]").forEach(historyMap);
    document.querySelectorAll("[data-planning-draw]").forEach(drawing);
  });
})();
