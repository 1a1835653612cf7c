// The report page's update form: choosing a canned reply fills the public note with its text
// (in the reporter's language, as the option carries it). Without this script the server does
// the same when the note is left empty.
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var select = evt.target;
    if (!select.matches || !select.matches("select[data-fills]")) return;
    var option = select.options[select.selectedIndex];
    var note = document.getElementById(select.getAttribute("data-fills"));
    if (!note || !option || !option.hasAttribute("data-body")) return;
    note.value = option.getAttribute("data-body");
    note.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
