// The plan area on the registration form: tap the map to add corners, Undo and Clear; the
// polygon goes to a hidden field as GeoJSON (WGS 84). Without script the file upload still works.
(function () {
  "use strict";

  // Not interactive: a tap on the drawn area adds a corner, it is not taken by the shape.
  var STYLE = { color: "#0a4a82", weight: 3, fillOpacity: 0.1, interactive: false };

  function drawing(el) {
    var form = el.closest("form");
    var field = form.querySelector("[data-plan-area]");
    var count = form.querySelector("[data-plan-count]");
    var map = L.map(el, { center: [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], zoom: parseInt(el.dataset.zoom, 10), maxZoom: 19, scrollWheelZoom: false });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (geo) L.geoJSON(geo, { interactive: false, style: { color: "#5b6670", weight: 2, opacity: 0.6, fillOpacity: 0.02 } }).addTo(map);
      }).catch(function () { /* outlines are a help, not a need */ });
    }
    var points = [];
    try {
      var g = JSON.parse(field.value || "null");
      if (g && g.type === "Polygon") points = g.coordinates[0].slice(0, -1).map(function (c) { return [c[1], c[0]]; });
    } catch (e) { /* a broken value is drawn again */ }
    var layer = null;
    function lonlat(p) { return [Math.round(p[1] * 1e7) / 1e7, Math.round(p[0] * 1e7) / 1e7]; }
    function render() {
      if (layer) map.removeLayer(layer);
      layer = null;
      var ring = points.map(lonlat);
      field.value = points.length >= 3 ? JSON.stringify({ type: "Polygon", coordinates: [ring.concat([ring[0]])] }) : "";
      if (points.length) layer = (points.length >= 3 ? L.polygon(points, STYLE) : L.polyline(points, STYLE)).addTo(map);
      if (count) count.textContent = points.length ? (el.dataset.cornersLabel || "").replace("{n}", points.length) || String(points.length) : "";
    }
    map.on("click", function (e) { points.push([e.latlng.lat, e.latlng.lng]); render(); });
    form.querySelector("[data-plan-undo]").addEventListener("click", function () { points.pop(); render(); });
    form.querySelector("[data-plan-clear]").addEventListener("click", function () { points = []; render(); });
    render();
    if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 17 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-plan-draw]").forEach(drawing);
  });
})();
