// 电脑派位现场: reveal the order one rank after another, as the draw is read out in the hall.
document.addEventListener("DOMContentLoaded", function () {
  var list = document.querySelector(".lot-animate");
  if (!list) return;
  var items = list.querySelectorAll("li"), i = 0;
  var timer = setInterval(function () {
    if (i >= items.length) { clearInterval(timer); return; }
    items[i].classList.add("lot-shown");
    i += 1;
  }, 350);
});
