// The assembly page: the total and each section's points follow the points inputs as the teacher types.
(function () {
  "use strict";
  function num(v) { var n = parseFloat(v); return isFinite(n) && n > 0 ? n : 0; }
  function fmt(n) { return String(Math.round(n * 10) / 10); }
  function update() {
    var total = 0;
    document.querySelectorAll("[data-section]").forEach(function (sec) {
      var sum = 0;
      sec.querySelectorAll("[data-points]").forEach(function (i) { sum += num(i.value); });
      total += sum;
      var out = document.querySelector('[data-type-points="' + sec.getAttribute("data-section") + '"]');
      if (out) out.textContent = fmt(sum);
    });
    var t = document.querySelector("[data-total]");
    if (t) t.textContent = fmt(total);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-points]").forEach(function (i) { i.addEventListener("input", update); });
  });
})();
