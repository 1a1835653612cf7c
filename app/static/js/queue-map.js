// The queue as a map: the same filter as the list, as clustered markers. Drawn when the page
// opens on the map view and again whenever htmx brings a new filter's results.
(function () {
  "use strict";

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // One point of /triage/map.json: [id, lat, lon, status, priority, overdue, category], the
  // last four being places in the tables sent once with the points.
  function marker(data, point) {
    var category = data.categories[point[6]] || { name: "" };
    var p = {
      id: point[0], status: data.statuses[point[3]], priority: data.priorities[point[4]],
      overdue: point[5] === 1, category: category.name,
    };
    var labels = data.labels;
    var classes = "queue-pin priority-" + p.priority + (p.overdue ? " is-overdue" : "");
    var label = "#" + p.id + " " + p.category + ", " + labels.status[p.status];
    var m = L.marker([point[1], point[2]], {
      icon: L.divIcon({ className: classes, html: "<span></span>", iconSize: [24, 24], iconAnchor: [12, 12] }),
      title: label, alt: label, keyboard: true,
    });
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/triage/" + p.id;
    link.textContent = "#" + p.id + " " + p.category;
    var meta = document.createElement("p");
    meta.textContent = labels.status[p.status] + " · " + labels.priority[p.priority];
    box.appendChild(link);
    box.appendChild(meta);
    m.bindPopup(box);
    return m;
  }

  function draw(el) {
    if (el.dataset.drawn) return;
    el.dataset.drawn = "true";
    var note = document.getElementById("queue-map-note");
    var map = L.map(el, { center: [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], zoom: parseInt(el.dataset.zoom, 10), maxZoom: 19, scrollWheelZoom: false });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    if (el.dataset.zones) {
      fetch(el.dataset.zones).then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
        if (geo) L.geoJSON(geo, { interactive: false, style: { color: "#0a4a82", weight: 2, opacity: 0.6, fillOpacity: 0.03 } }).addTo(map);
      }).catch(function () { /* outlines are a help, not a need */ });
    }
    fetch(el.dataset.queueMap, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true });
        clusters.addLayers(data.points.map(function (point) { return marker(data, point); }));
        map.addLayer(clusters);
        if (data.points.length) map.fitBounds(clusters.getBounds(), { padding: [24, 24], maxZoom: 16 });
        if (note && data.total > data.points.length) note.textContent = fmt(el.dataset.capped, { shown: data.points.length, total: data.total });
        el.dataset.markers = String(data.points.length);
      })
      .catch(function () { if (note) note.textContent = el.dataset.failed; });
  }

  function drawAll() {
    if (typeof L === "undefined" || !L.markerClusterGroup) return;
    document.querySelectorAll("[data-queue-map]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
