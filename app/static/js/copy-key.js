// The new API key's Copy button (admin/api_keys.html): to the clipboard, else the key is
// selected for the device's own copy command. Without JavaScript the field can be copied by hand.
(function () {
  "use strict";

  function say(box, status, text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function init(box) {
    var input = box.querySelector("[data-copy-value]");
    var button = box.querySelector("[data-copy-button]");
    var status = box.querySelector("[data-copy-status]");
    if (!input || !button || !status) return;
    button.hidden = false;
    function select() {
      input.focus();
      input.setSelectionRange(0, input.value.length);
    }
    function byHand() {
      select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(box, status, ok ? box.dataset.msgCopied : box.dataset.msgSelect);
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () {
          say(box, status, box.dataset.msgCopied);
        }, byHand);
      } else {
        byHand();
      }
    });
    input.addEventListener("focus", select);
  }

  document.querySelectorAll("[data-copy]").forEach(init);
})();
