// 课程体系: show the chosen file's name beside the “选择文件” button (the native input is invisible over it).
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.closest(".cur-file")) return;
  const label = input.closest("form").querySelector(".cur-file-name");
  if (label) label.textContent = input.files.length ? input.files[0].name : "未选择文件";
});
