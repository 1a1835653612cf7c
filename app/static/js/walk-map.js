// Walk maps: drawing a walk's meeting point, route and area when it is planned, and the live
// map of its observations (redrawn when the polled list brings new ones).
(function () {
  "use strict";

  function baseMap(el) {
    var map = L.map(el, { center: [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], zoom: parseInt(el.dataset.zoom, 10), maxZoom: 19, scrollWheelZoom: false });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (geo) L.geoJSON(geo, { interactive: false, style: { color: "#0a4a82", weight: 2, opacity: 0.6, fillOpacity: 0.03 } }).addTo(map);
      }).catch(function () { /* outlines are a help, not a need */ });
    }
    return map;
  }

  // A tooltip from data (a meeting point, a category's name) is text, never HTML: Leaflet puts
  // a string into innerHTML, so it gets an element whose textContent is set.
  function asText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  var AREA_STYLE = { color: "#b34700", weight: 3, fillOpacity: 0.08 };
  var ROUTE_STYLE = { color: "#0a4a82", weight: 5, dashArray: "8 6" };

  // Planning: tap to place the meeting point or add corners to the route or the area.
  function drawing(el) {
    var form = el.closest("form");
    var input = function (name) { return form.querySelector("[data-draw-" + name + "]"); };
    var map = baseMap(el);
    var points = { route: [], area: [] };
    var layers = { route: null, area: null, meeting: null };
    function load(kind) {
      try {
        var g = JSON.parse(input(kind).value || "null");
        if (!g) return;
        var coords = g.type === "Polygon" ? g.coordinates[0].slice(0, -1) : g.coordinates;
        points[kind] = coords.map(function (c) { return [c[1], c[0]]; });
      } catch (e) { /* a broken value is drawn again from scratch */ }
    }
    load("route"); load("area");
    function mode() { var m = form.querySelector("[data-draw-mode]:checked"); return m ? m.value : "meeting"; }
    function lonlat(p) { return [Math.round(p[1] * 1e6) / 1e6, Math.round(p[0] * 1e6) / 1e6]; }
    function render() {
      ["route", "area"].forEach(function (kind) {
        if (layers[kind]) map.removeLayer(layers[kind]);
        layers[kind] = null;
        var pts = points[kind];
        if (kind === "route") {
          input("route").value = pts.length >= 2 ? JSON.stringify({ type: "LineString", coordinates: pts.map(lonlat) }) : "";
          if (pts.length) layers.route = L.polyline(pts, ROUTE_STYLE).addTo(map);
        } else {
          var ring = pts.map(lonlat);
          input("area").value = pts.length >= 3 ? JSON.stringify({ type: "Polygon", coordinates: [ring.concat([ring[0]])] }) : "";
          if (pts.length) layers.area = (pts.length >= 3 ? L.polygon(pts, AREA_STYLE) : L.polyline(pts, AREA_STYLE)).addTo(map);
        }
      });
      if (layers.meeting) map.removeLayer(layers.meeting);
      layers.meeting = null;
      var lat = parseFloat(input("meeting-lat").value), lon = parseFloat(input("meeting-lon").value);
      if (!isNaN(lat) && !isNaN(lon)) {
        layers.meeting = L.circleMarker([lat, lon], { radius: 10, color: "#ffffff", weight: 3, fillColor: "#1d5e2c", fillOpacity: 1 }).addTo(map);
      }
    }
    map.on("click", function (e) {
      var m = mode();
      if (m === "meeting") {
        input("meeting-lat").value = e.latlng.lat.toFixed(6);
        input("meeting-lon").value = e.latlng.lng.toFixed(6);
      } else {
        points[m].push([e.latlng.lat, e.latlng.lng]);
      }
      render();
    });
    form.querySelector("[data-draw-undo]").addEventListener("click", function () {
      var m = mode();
      if (m === "meeting") { input("meeting-lat").value = ""; input("meeting-lon").value = ""; } else { points[m].pop(); }
      render();
    });
    form.querySelector("[data-draw-clear]").addEventListener("click", function () {
      var m = mode();
      if (m === "meeting") { input("meeting-lat").value = ""; input("meeting-lon").value = ""; } else { points[m] = []; }
      render();
    });
    render();
    var all = [].concat(points.route, points.area);
    if (all.length) map.fitBounds(L.latLngBounds(all), { padding: [24, 24], maxZoom: 17 });
  }

  // The live map: the walk's area, route and observations.
  function live(el) {
    var map = baseMap(el);
    var layer = null;
    var fitted = false;
    function refresh() {
      fetch(el.dataset.geojson, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (geo) {
          if (layer) map.removeLayer(layer);
          layer = L.geoJSON(geo, {
            style: function (f) {
              if (f.geometry.type === "Point") return {};  // markers keep their own colours
              return f.properties.role === "route" ? ROUTE_STYLE : AREA_STYLE;
            },
            pointToLayer: function (f, latlng) {
              var p = f.properties;
              if (p.role === "meeting") {
                return L.circleMarker(latlng, { radius: 9, color: "#111418", weight: 3, fillColor: "#ffffff", fillOpacity: 1 })
                  .bindTooltip(asText(p.name || el.dataset.meetingLabel || ""));
              }
              var label = "#" + p.id + " " + p.category;
              var good = p.group === "to_keep";
              return L.circleMarker(latlng, { radius: 10, color: "#ffffff", weight: 3, fillColor: good ? "#1d5e2c" : "#a3001b", fillOpacity: 1 })
                .bindTooltip(asText(label));
            },
          }).addTo(map);
          el.dataset.markers = String(geo.features.filter(function (f) { return f.properties.id; }).length);
          if (!fitted && geo.features.length) {
            map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
            fitted = true;
          }
        })
        .catch(function () { /* the list below still shows everything */ });
    }
    refresh();
    var count = null;
    document.addEventListener("htmx:afterSettle", function () {
      var box = document.querySelector("[data-item-count]");
      if (box && box.dataset.itemCount !== count) { count = box.dataset.itemCount; refresh(); }
    });
  }

  // Closing a walk cannot be undone: ask first (the form still works without script).
  document.addEventListener("submit", function (e) {
    var form = e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-walk-draw]").forEach(drawing);
    document.querySelectorAll("[data-walk-live-map]").forEach(live);
  });
})();
