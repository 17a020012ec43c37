// Every page works without this script. With it, a form or a button with data-confirm (voiding coupons)
// asks first.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();

// The coupon form works without this script, with every field shown and labelled with the types it is
// for. With it, only the fields of the chosen type and validity are shown.
(function () {
  "use strict";
  var form = document.querySelector("form.coupon-form");
  if (!form) return;

  function chosen(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : null;
  }

  function update() {
    var type = chosen("type");
    var valid = chosen("valid_type");
    form.querySelectorAll("[data-types]").forEach(function (field) {
      field.hidden = !type || field.getAttribute("data-types").split(" ").indexOf(type) < 0;
    });
    form.querySelectorAll("[data-valid]").forEach(function (field) {
      field.hidden = field.getAttribute("data-valid") !== valid;
    });
  }

  form.classList.add("scripted");
  form.addEventListener("change", update);
  update();
})();
