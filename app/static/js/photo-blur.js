// The report page's "blur a region": drag a rectangle over the photo (mouse, finger or pen:
// pointer events) and the four numbers of the form (per cent from the top left) follow it.
// Without this script the numbers are typed; with it they can still be typed or corrected.
(function () {
  "use strict";

  function clamp(v) { return Math.max(0, Math.min(100, v)); }
  function round(v) { return Math.round(v * 10) / 10; }

  function setUp(form) {
    var canvas = form.querySelector("[data-blur-canvas]");
    if (!canvas || canvas.hasAttribute("data-ready")) return;
    canvas.setAttribute("data-ready", "");
    canvas.hidden = false;
    var box = canvas.querySelector("[data-blur-box]");
    var fields = {
      left: form.elements.left, top: form.elements.top,
      width: form.elements.width, height: form.elements.height
    };
    var start = null;

    function at(evt) {
      var r = canvas.getBoundingClientRect();
      return {
        x: clamp((evt.clientX - r.left) / r.width * 100),
        y: clamp((evt.clientY - r.top) / r.height * 100)
      };
    }
    function show(left, top, width, height) {
      box.hidden = !(width > 0 && height > 0);
      box.style.left = left + "%";
      box.style.top = top + "%";
      box.style.width = width + "%";
      box.style.height = height + "%";
    }
    function fromFields() {
      show(+fields.left.value || 0, +fields.top.value || 0,
           +fields.width.value || 0, +fields.height.value || 0);
    }
    canvas.addEventListener("pointerdown", function (evt) {
      evt.preventDefault();
      start = at(evt);
      canvas.setPointerCapture(evt.pointerId);
    });
    canvas.addEventListener("pointermove", function (evt) {
      if (!start) return;
      var p = at(evt);
      var left = round(Math.min(start.x, p.x)), top = round(Math.min(start.y, p.y));
      var width = round(Math.abs(p.x - start.x)), height = round(Math.abs(p.y - start.y));
      fields.left.value = left; fields.top.value = top;
      fields.width.value = width; fields.height.value = height;
      show(left, top, width, height);
    });
    function end() { start = null; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    form.addEventListener("input", fromFields);
  }

  function setUpAll(root) {
    var forms = (root || document).querySelectorAll("[data-blur-form]");
    for (var i = 0; i < forms.length; i++) setUp(forms[i]);
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  // A moderation answer replaces the photo's card: its new form needs the same.
  document.addEventListener("htmx:load", function (evt) { setUpAll(evt.target); });
})();
