// Small behaviours only: the mobile navigation drawer, confirmation prompts and filters that apply on change.
// (No inline handlers in templates: the Content-Security-Policy allows none.)
(function () {
  "use strict";

  function setNav(open) {
    document.body.classList.toggle("nav-open", open);
    var toggles = document.querySelectorAll("[data-nav-toggle]");
    for (var i = 0; i < toggles.length; i++) {
      toggles[i].setAttribute("aria-expanded", open ? "true" : "false");
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("[data-nav-toggle]")) {
      setNav(!document.body.classList.contains("nav-open"));
      return;
    }
    if (target.closest("[data-nav-close]")) {
      setNav(false);
      return;
    }
    if (target.closest("[data-print]")) {  // a print button (no inline handlers: the CSP forbids them)
      window.print();
      return;
    }
    var confirmable = target.closest("[data-confirm]");
    // Submit buttons are confirmed on the form's submit event below, so Enter in a field is covered too.
    if (confirmable && !(confirmable.form && confirmable.type === "submit")) {
      if (!window.confirm(confirmable.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.hasAttribute("data-confirm") ? submitter
      : form.hasAttribute("data-confirm") ? form : null;
    if (source && !window.confirm(source.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) setNav(false);
  });

  window.addEventListener("resize", function () {
    if (window.innerWidth > 820 && document.body.classList.contains("nav-open")) setNav(false);
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });
})();
