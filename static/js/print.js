// Print buttons: <button type="button" data-print hidden>. Shown only when this script runs (without it the page
// tells the reader to use the browser's own print), wired here because the pages allow no inline script.
(function () {
  "use strict";
  function wire() {
    var buttons = document.querySelectorAll("button[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
