// htmx glue shared by every page: focus what a swap brought, mark invalid fields, say when the
// network failed (the form stays as it was, so nothing typed is lost).
(function () {
  "use strict";

  function markInvalid(root) {
    root.querySelectorAll(".field-error[id]").forEach(function (slot) {
      var invalid = slot.textContent.trim() !== "";
      document.querySelectorAll('[aria-describedby~="' + slot.id + '"]').forEach(function (el) {
        if (el.matches("input:not([type=radio]):not([type=file]), textarea, select")) {
          if (invalid) el.setAttribute("aria-invalid", "true");
          else el.removeAttribute("aria-invalid");
        }
      });
    });
  }

  // On a phone the queue's filters fold away so that the first rows are on the first screen
  // (they stay open without JavaScript, and on wider screens).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(max-width: 47.99rem)").matches) {
      document.querySelectorAll("details[data-close-on-phone]").forEach(function (d) { d.open = false; });
    }
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = document.querySelector("[data-focus]");
    if (target) {
      target.focus({ preventScroll: false });
      target.removeAttribute("data-focus");
    }
    markInvalid(document);
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    document.querySelectorAll("[data-send-error]").forEach(function (el) { el.hidden = true; });
  });

  document.addEventListener("htmx:sendError", function (evt) {
    // The capture form keeps its report in the outbox instead (capture.js).
    if (window.SafetyWalkOutboxReady && evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("[data-outbox-form]")) return;
    document.querySelectorAll("[data-send-error]").forEach(function (el) {
      el.hidden = false;
      el.setAttribute("tabindex", "-1");
      el.focus();
    });
  });

  // The service worker keeps the capture page and its assets for offline use (see /sw.js).
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the page works without it */ });
    });
  }
})();
