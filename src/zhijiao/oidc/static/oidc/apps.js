// 应用管理: the school/division pickers' search and count, and copy buttons on the one-time secret page.
(function () {
  "use strict";

  function refreshPicker(picker) {
    var query = (picker.querySelector("[data-picker-search]").value || "").trim().toLowerCase();
    var items = picker.querySelectorAll("[data-picker-item]");
    var shown = 0, checked = 0;
    for (var i = 0; i < items.length; i++) {
      var item = items[i], box = item.querySelector("input");
      var match = !query || item.getAttribute("data-text").toLowerCase().indexOf(query) !== -1 || box.checked;
      item.hidden = !match;
      if (match) shown++;
      if (box.checked) checked++;
    }
    picker.classList.toggle("no-match", shown === 0);
    var count = picker.querySelector("[data-picker-count]");
    if (count) count.textContent = checked ? "已选 " + checked + " 项" : "未选：不限";
  }

  var pickers = document.querySelectorAll("[data-picker]");
  for (var i = 0; i < pickers.length; i++) {
    (function (picker) {
      picker.querySelector("[data-picker-search]").addEventListener("input", function () { refreshPicker(picker); });
      picker.addEventListener("change", function () { refreshPicker(picker); });
      refreshPicker(picker);
    })(pickers[i]);
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.querySelector("span");
      button.classList.add("copied");
      if (label) label.textContent = "已复制";
      setTimeout(function () { button.classList.remove("copied"); if (label) label.textContent = "复制"; }, 2000);
    });
  });
})();
