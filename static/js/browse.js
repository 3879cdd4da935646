/* The browse page: clean shareable addresses and sorting without an extra click. */
(function () {
  "use strict";

  var form = document.getElementById("browse-form");
  if (!form) {
    return;
  }

  // Leave empty fields out of the address, so that a shared or bookmarked link says
  // only what was chosen ("?age=10&max_language=1", not a list of empty filters).
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      var blank = (field.tagName === "SELECT" || field.tagName === "INPUT") &&
        field.type !== "checkbox" && field.type !== "radio" && field.type !== "submit" &&
        field.value === "";
      if (field.name && blank) {
        field.disabled = true;
      }
    });
  });

  // Coming back with the Back button shows the page as it was left: re-enable fields.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      field.disabled = false;
    });
  });

  // Changing the sort order shows the results at once; the Sort button is for no-JS.
  var sort = form.querySelector("select[name=sort]");
  if (sort) {
    sort.addEventListener("change", function () {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll(".sort-apply"), function (button) {
      button.hidden = true;
    });
  }
})();
