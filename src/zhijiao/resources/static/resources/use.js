/* 评价与使用 (resources/_use.html): stars and the favourite button call the API in place (the forms still
 * work without JavaScript), and the page's <video>/<audio> player reports how far each playback got.
 *
 * Play beacons: each playback gets a random play_id; while playing, POST /api/v1/resources/<id>/events
 * {kind: "play", play_id, progress} about every 10 s of watching, and on pause and at the end. The server
 * keeps the furthest progress per play_id (zhijiao.resources.usage), so beacons may repeat or arrive late.
 */
(function () {
  "use strict";
  var root = document.getElementById("use");
  if (!root || !window.fetch) return;
  var api = root.dataset.api;
  var csrf = root.dataset.csrf || "";

  function call(method, path, body) {
    return fetch(api + path, {
      method: method,
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error((data && (data.message || data.detail)) || "操作失败，请稍后再试");
        return data;
      });
    });
  }
  function role(name) { return root.querySelector("[data-role=" + name + "]"); }

  // ------------------------------------------------------------------ stars
  var starsForm = root.querySelector(".ru-stars-form");
  if (starsForm) {
    var group = starsForm.querySelector(".ru-stars");
    var stars = Array.prototype.slice.call(starsForm.querySelectorAll(".ru-star"));
    var mine = parseInt(starsForm.dataset.mine || "0", 10);
    var paint = function (n, cls) { stars.forEach(function (s, i) { s.classList.toggle(cls, i < n); }); };
    stars.forEach(function (star, i) {
      star.addEventListener("mouseenter", function () { group.classList.add("hovering"); paint(i + 1, "hover"); });
      star.addEventListener("click", function (e) {
        e.preventDefault();
        var score = i + 1;
        call("POST", "/rating", { score: score }).then(function (data) {
          mine = data.score;
          paint(mine, "on");
          stars.forEach(function (s, j) { s.setAttribute("aria-pressed", j + 1 === mine ? "true" : "false"); });
          role("mine").textContent = "已评 " + mine + " 分，谢谢你的评价";
          role("avg").textContent = data.rating_avg.toFixed(1);
          role("count").textContent = data.rating_count;
          var bar = root.querySelector(".ru-stars-static");
          if (bar) bar.style.setProperty("--r", data.rating_avg);
        }).catch(function (err) { role("mine").textContent = err.message; });
      });
    });
    group.addEventListener("mouseleave", function () { group.classList.remove("hovering"); paint(0, "hover"); });
  }

  // ------------------------------------------------------------------ favourite
  var favForm = root.querySelector(".ru-fav-form");
  if (favForm) {
    var favButton = favForm.querySelector("button");
    favForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var on = favButton.classList.contains("on");
      favButton.disabled = true;
      call(on ? "DELETE" : "POST", "/favourite").then(function (data) {
        favButton.classList.toggle("on", data.favourite);
        favButton.setAttribute("aria-pressed", data.favourite ? "true" : "false");
        favButton.querySelector(".ru-fav-heart").textContent = data.favourite ? "♥" : "♡";
        role("fav-label").textContent = data.favourite ? "已收藏" : "收藏";
        role("fav-count").textContent = data.favourite_count;
      }).catch(function () { favForm.submit(); }).then(function () { favButton.disabled = false; });
    });
  }

  // ------------------------------------------------------------------ play progress beacons
  if (root.dataset.beacons !== "1") return;
  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  document.querySelectorAll(".res-media[data-resource-id]").forEach(function (media) {
    var playId = null, furthest = 0, sentAt = 0, sent = -1;
    function progress() {
      if (!media.duration || !isFinite(media.duration)) return furthest;
      furthest = Math.max(furthest, Math.min(1, media.currentTime / media.duration));
      return furthest;
    }
    function send(force) {
      if (!playId) return;
      var p = Math.round(progress() * 1000) / 1000;
      if (!force && p === sent) return;
      sent = p;
      sentAt = Date.now();
      call("POST", "/events", { kind: "play", play_id: playId, progress: p }).catch(function () {});
    }
    media.addEventListener("play", function () {
      if (!playId) { playId = newId(); furthest = 0; sent = -1; send(true); }
    });
    media.addEventListener("timeupdate", function () {
      progress();
      if (playId && Date.now() - sentAt >= 10000) send(false);
    });
    media.addEventListener("pause", function () { send(false); });
    media.addEventListener("ended", function () { furthest = 1; send(true); playId = null; });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") send(false); });
  });
})();
