// The capture page's pin, made easy to place by hand (capture.js uses these): the map comes
// into view above the send bar when the phone's position is missing or poor, the map fits the
// accuracy circle, zooming keeps the pin on screen, and the arrow keys move a focused pin.
(function () {
  "use strict";

  var MARGIN = 8; // px kept free between the map and the send bar (or the top of the screen)

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // Scroll so that the map is wholly on screen above the fixed send bar, with the message
  // above it when the screen is tall enough; the map wins when both do not fit.
  function bringIntoView(mapEl, message) {
    var bar = document.querySelector(".submit-bar");
    var bottom = (bar ? bar.getBoundingClientRect().top : window.innerHeight) - MARGIN;
    var m = mapEl.getBoundingClientRect();
    var top = (message || mapEl).getBoundingClientRect().top;
    var shift = 0;
    if (m.bottom > bottom) shift = m.bottom - bottom; // below, or under the bar: up it comes
    else if (top < MARGIN) shift = Math.max(top - MARGIN, m.bottom - bottom); // above: down
    if (Math.abs(shift) >= 1) {
      window.scrollBy({ top: shift, behavior: reducedMotion() ? "auto" : "smooth" });
    }
  }

  // Tell what to do where the eyes and a screen reader go next: the map in view, focus on
  // the message that says to tap the map or drag the pin.
  function nudge(mapEl, message, moveFocus) {
    bringIntoView(mapEl, message);
    if (moveFocus && message) {
      message.setAttribute("tabindex", "-1");
      message.focus({ preventScroll: true });
    }
  }

  // The map fits the accuracy circle (a 350 m circle is seen whole), but no closer than a
  // street's scale for a good position.
  function fitCircle(map, circle) {
    map.fitBounds(circle.getBounds(), { padding: [16, 16], maxZoom: 17 });
  }

  // "+" and "-" (the buttons and the keyboard) zoom around the pin while it is on screen,
  // so it stays where it is instead of drifting off the edge. Leaflet's zoom control and
  // keyboard handler both go through map.setZoom.
  function zoomAroundPin(map, pinAt) {
    var setZoom = map.setZoom;
    map.setZoom = function (zoom, options) {
      var at = pinAt();
      if (!at || !this._loaded || !this.getBounds().contains(at)) return setZoom.call(this, zoom, options);
      zoom = Math.min(Math.max(zoom, this.getMinZoom()), this.getMaxZoom());
      return this.setZoomAround(at, zoom, options);
    };
  }

  var STEP = 8, BIG_STEP = 48; // px on screen per arrow press; Shift: further
  var KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  // A focused pin moves with the arrow keys; moved(latlng) is told the new place. The map's
  // own keyboard panning must not take the same keys, nor the page scroll with them.
  function movableByKeys(map, marker, hintId, moved) {
    var el = marker.getElement();
    if (!el) return;
    if (hintId) el.setAttribute("aria-describedby", hintId);
    L.DomEvent.on(el, "keydown", function (e) {
      var dir = KEYS[e.key];
      if (!dir || e.altKey || e.ctrlKey || e.metaKey) return;
      L.DomEvent.stop(e);
      var step = e.shiftKey ? BIG_STEP : STEP;
      // project/unproject: exact (latLngToContainerPoint rounds to whole pixels, and an
      // arrow to the right would drift the pin up or down by half a pixel).
      var zoom = map.getZoom();
      var latlng = map.unproject(map.project(marker.getLatLng(), zoom).add([dir[0] * step, dir[1] * step]), zoom);
      moved(latlng);
      map.panInside(latlng, { padding: [40, 40] });
    });
  }

  window.SafetyWalkPin = {
    nudge: nudge, fitCircle: fitCircle, zoomAroundPin: zoomAroundPin, movableByKeys: movableByKeys,
  };
})();
