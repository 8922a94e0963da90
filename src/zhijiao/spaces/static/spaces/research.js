// 听评课: a comment's time chip seeks the lesson video there; "当前时间" fills the comment form's time.
(function () {
  var video = document.getElementById("lesson-video");
  function clock(s) { s = Math.floor(s); var m = Math.floor(s / 60); return (m < 10 ? "0" : "") + m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60); }
  document.querySelectorAll("[data-seek]").forEach(function (chip) {
    chip.addEventListener("click", function () {
      if (!video) return;
      video.currentTime = Number(chip.getAttribute("data-seek"));
      video.play();
      document.querySelectorAll(".rs-comments li.playing").forEach(function (li) { li.classList.remove("playing"); });
      chip.closest("li").classList.add("playing");
      video.scrollIntoView({ behavior: "smooth", block: "center" });
    });
  });
  var field = document.getElementById("at_second");
  var shown = document.getElementById("at_clock");
  var pin = document.getElementById("pin-now");
  if (video && field && shown) {
    var follow = true;
    video.addEventListener("timeupdate", function () { if (follow) { field.value = Math.floor(video.currentTime); shown.textContent = clock(video.currentTime); } });
    var box = document.getElementById("comment-body");
    if (box) box.addEventListener("focus", function () { video.pause(); follow = false; });
    if (pin) pin.addEventListener("click", function () { follow = false; field.value = Math.floor(video.currentTime); shown.textContent = clock(video.currentTime); });
    video.addEventListener("play", function () { follow = true; });
  }
})();
