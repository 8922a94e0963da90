// 电脑派位 list page: show the chosen file's name next to the Chinese "选择文件" button.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.closest(".lot-file")) return;
  var label = input.closest("form").querySelector(".lot-file-name");
  if (label) label.textContent = input.files && input.files.length ? input.files[0].name : "未选择文件";
});
