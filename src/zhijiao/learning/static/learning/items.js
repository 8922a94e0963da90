// The item bank: formulas rendered by the locally served KaTeX, the editor's live preview and its per-type parts.
(function () {
  "use strict";
  var DELIMS = [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
  ];
  function render(el) {
    if (!window.renderMathInElement) return;
    window.renderMathInElement(el, { delimiters: DELIMS, throwOnError: false, strict: "ignore" });
  }
  function text(el, value) {
    el.textContent = value;
    return el;
  }
  var IMAGE_MARK = /!\[([^\]\n]{0,60})\]\(image:(\d{1,10})\)/g;
  // The text as text nodes, with each ![说明](image:ID) of this item's pictures as an <img> (others stay text).
  function rich(el, value, ids) {
    el.textContent = "";
    var last = 0;
    value.replace(IMAGE_MARK, function (mark, alt, id, at) {
      if (ids.indexOf(id) < 0) return mark;
      el.appendChild(document.createTextNode(value.slice(last, at)));
      var img = document.createElement("img");
      img.className = "it-img";
      img.alt = alt || "图";
      img.src = "/learning/items/images/" + id + "/";
      el.appendChild(img);
      last = at + mark.length;
      return mark;
    });
    el.appendChild(document.createTextNode(value.slice(last)));
    return el;
  }
  function setupEditor(form) {
    var kind = form.querySelector("[data-kind]");
    var preview = document.getElementById("it-preview");
    var stemOut = preview.querySelector('[data-show="stem"]');
    var optionsOut = preview.querySelector('[data-show="options"]');
    var explOut = preview.querySelector('[data-show="explanation"]');
    var explWrap = preview.querySelector('[data-show="explanation-wrap"]');
    var timer = null;
    var ids = (form.getAttribute("data-images") || "").split(" ").filter(Boolean);
    function showParts() {
      var k = kind.value;
      form.querySelectorAll("[data-for]").forEach(function (el) {
        var on = el.getAttribute("data-for").split(" ").indexOf(k) >= 0;
        el.hidden = !on;
        if (el.tagName === "INPUT") el.disabled = !on;
      });
      update();
    }
    function update() {
      var stem = form.querySelector('[data-preview="stem"]').value;
      rich(stemOut, stem || "（题干会显示在这里）", ids);
      stemOut.style.whiteSpace = "pre-wrap";
      optionsOut.innerHTML = "";
      if (kind.value === "single" || kind.value === "multiple") {
        form.querySelectorAll('[data-preview="option"]').forEach(function (input) {
          if (!input.value.trim()) return;
          var li = document.createElement("li");
          var key = document.createElement("span");
          key.className = "it-key-label";
          text(key, input.getAttribute("data-key") + ". ");
          var body = document.createElement("span");
          rich(body, input.value, ids);
          li.appendChild(key);
          li.appendChild(body);
          optionsOut.appendChild(li);
        });
      } else if (kind.value === "true_false") {
        ["对", "错"].forEach(function (t) { optionsOut.appendChild(text(document.createElement("li"), t)); });
      }
      var expl = form.querySelector('[data-preview="explanation"]').value;
      rich(explOut, expl, ids);
      explWrap.hidden = !expl.trim();
      render(preview);
      var error = document.getElementById("it-preview-error");
      if (error) error.hidden = !preview.querySelector(".katex-error");
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    }
    kind.addEventListener("change", showParts);
    form.querySelectorAll("[data-preview]").forEach(function (el) { el.addEventListener("input", later); });
    showParts();
  }
  function start() {
    document.querySelectorAll(".math").forEach(render);
    var form = document.getElementById("it-editor");
    if (form) setupEditor(form);
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
