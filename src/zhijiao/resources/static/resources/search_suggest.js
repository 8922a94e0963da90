// Search-as-you-type for the resource search box: knowledge points, chapters, popular queries, a correction.
(function () {
  "use strict";
  var timer = null;
  var last = "";
  function fill(input, items) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    list.textContent = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.text;
      option.label = item.kind;
      list.appendChild(option);
    });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input || !input.dataset || !input.dataset.suggest) return;
    var q = input.value.trim();
    if (q === last) return;
    last = q;
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { fill(input, data.items || []); })
        .catch(function () {});
    }, 150);
  });
})();
