// Homework: the pupil's answers saved as they go, and the teacher's keyboard marking (阅卷). No inline handlers.
(function () {
  "use strict";
  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ── autosave: after each change (debounced) the whole form goes to the save URL ──
  var form = document.querySelector("[data-hw-autosave]");
  if (form) {
    var url = form.getAttribute("data-hw-autosave");
    var status = form.querySelector(".hw-saved");
    var timer = null;
    var save = function () {
      timer = null;
      var body = new FormData(form);
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(form), Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
        .then(function (res) {
          if (status) status.textContent = res.ok ? "已自动保存 " + res.d.saved_at : (res.d.message || "保存失败");
        })
        .catch(function () { if (status) status.textContent = "网络不通，答案暂未保存，请稍后点“保存”"; });
    };
    var later = function () {
      if (status) status.textContent = "正在保存…";
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 800);
    };
    form.addEventListener("change", later);
    form.addEventListener("input", later);
  }

  // ── keyboard marking: digits fill the focused criterion and move on; Enter saves and opens the next answer ──
  var mark = document.querySelector("[data-hw-mark]");
  if (mark) {
    var inputs = Array.prototype.slice.call(mark.querySelectorAll("input[data-max]"));
    if (inputs.length) {
      var empty = inputs.filter(function (i) { return !i.value; })[0] || inputs[0];
      empty.focus();
      empty.select();
    }
    inputs.forEach(function (input, n) {
      input.addEventListener("keydown", function (ev) {
        if (ev.key >= "0" && ev.key <= "9" && !ev.ctrlKey && !ev.metaKey) {
          var max = parseFloat(input.getAttribute("data-max"));
          var value = parseInt(ev.key, 10);
          if (max >= 10 && input.value === "1" && value <= max - 10) {
            input.value = String(10 + value);  // 1 then 2 → 12 on a criterion worth 10 or more
          } else {
            input.value = String(Math.min(value, max));
          }
          ev.preventDefault();
          var next = inputs[n + 1];
          if (next && !(max >= 10 && input.value === "1")) { next.focus(); next.select(); }
        } else if (ev.key === "." || ev.key === "。") {
          ev.preventDefault();
          var v = parseFloat(input.value || "0");
          input.value = String(Math.floor(v) + 0.5);
        }
      });
    });
  }
})();
