// The question page: time taken, hints revealed one at a time, focus on the feedback.
(function () {
  "use strict";
  var started = Date.now();
  var field = document.getElementById("time_taken_ms");
  if (field) {
    field.form.addEventListener("submit", function () { field.value = Date.now() - started; });
  }
  var button = document.getElementById("hint-button");
  var list = document.getElementById("hint-list");
  if (button && list) {
    var items = list.querySelectorAll("li");
    var shown = 0;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (shown >= items.length) return;
      list.hidden = false;
      items[shown].hidden = false;
      shown += 1;
      button.setAttribute("aria-expanded", "true");
      if (shown >= items.length) {
        button.textContent = "No more hints";
        button.disabled = true;
      } else {
        button.textContent = "Show another hint (" + (shown + 1) + " of " + items.length + ")";
      }
    });
  }
  var feedback = document.getElementById("feedback");
  if (feedback) { feedback.focus(); }
})();
