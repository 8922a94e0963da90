/* 上传资源: resumable chunked upload with a progress bar (protocol: zhijiao.resources.uploads, decision 0013).
 *
 * Choosing a file starts the upload at once: POST opens (or finds) the session, then PATCH sends chunk after
 * chunk with Upload-Offset. The session id is kept in localStorage under the file's fingerprint
 * (name|size|lastModified), so after a reload or a network failure choosing the same file again goes on from
 * the server's offset. When the last chunk is in, the form carries the hidden upload id instead of the file.
 * Without JavaScript none of this runs and the form posts the file as before.
 */
(function () {
  "use strict";
  var form = document.getElementById("res-upload-form");
  var panel = document.getElementById("res-chunked");
  if (!form || !panel || !window.XMLHttpRequest || !window.Blob || !Blob.prototype.slice) return;

  var api = panel.dataset.api;
  var fileInput = form.querySelector("input[type=file][name=file]");
  var hiddenId = form.querySelector("input[name=upload_id]");
  var titleInput = form.querySelector("input[name=title]");
  var pending = document.getElementById("res-chunked-pending");
  var csrf = (form.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var KEY = "zhijiao.upload.";
  var el = {};
  panel.querySelectorAll("[data-role]").forEach(function (n) { el[n.dataset.role] = n; });
  var buttons = {};
  panel.querySelectorAll("[data-act]").forEach(function (n) { buttons[n.dataset.act] = n; });

  // The drop zone: the chosen file's name in it, highlighted while a file is dragged over (the input covers the
  // zone, so dropping and clicking work without this script too).
  var pickName = document.getElementById("res-filepick-name");
  var zone = fileInput ? fileInput.closest(".res-dropzone") : null;
  if (fileInput && pickName) {
    fileInput.addEventListener("change", function () {
      pickName.textContent = fileInput.files && fileInput.files.length ? fileInput.files[0].name : "";
    });
  }
  if (zone) {
    ["dragenter", "dragover"].forEach(function (e) { zone.addEventListener(e, function () { zone.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (e) { zone.addEventListener(e, function () { zone.classList.remove("over"); }); });
  }

  var state = null; // {file, id, size, received, chunk, paused, done, xhr, samples, retries}

  function fmt(bytes) {
    var mb = bytes / 1048576;
    if (mb >= 1024) return (mb / 1024).toFixed(2) + " GB";
    return (mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)) + " MB";
  }
  function duration(s) {
    if (!isFinite(s) || s < 0) return "";
    if (s < 60) return Math.max(1, Math.round(s)) + " 秒";
    if (s < 3600) return Math.floor(s / 60) + " 分 " + Math.round(s % 60) + " 秒";
    return Math.floor(s / 3600) + " 小时 " + Math.round((s % 3600) / 60) + " 分";
  }
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value)); }
    catch (e) { /* private mode: resuming after a reload is then up to the server's fingerprint match */ }
  }
  function fingerprint(file) { return file.name + "|" + file.size + "|" + (file.lastModified || 0); }

  function request(method, url, body, headers) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      Object.keys(headers || {}).forEach(function (h) { xhr.setRequestHeader(h, headers[h]); });
      xhr.responseType = "json";
      xhr.onload = function () { resolve({ status: xhr.status, body: xhr.response || {} }); };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.onabort = function () { reject(new Error("abort")); };
      if (state && method === "PATCH") {
        state.xhr = xhr;
        xhr.upload.onprogress = function (e) { if (state) show(state.received + e.loaded); };
      }
      xhr.send(body === undefined ? null : body);
    });
  }

  function setStatus(text, kind) {
    el.status.textContent = text;
    el.status.className = "res-chunked-status" + (kind ? " is-" + kind : "");
  }

  function show(received) {
    var s = state;
    var pct = s.size ? Math.min(100, Math.floor((received / s.size) * 1000) / 10) : 0;
    el.bar.style.width = pct + "%";
    el.pct.textContent = (pct >= 100 ? 100 : pct.toFixed(pct < 10 ? 1 : 0)) + "%";
    panel.querySelector(".res-progress").setAttribute("aria-valuenow", String(Math.round(pct)));
    var now = performance.now();
    s.samples.push([now, received]);
    while (s.samples.length > 2 && now - s.samples[0][0] > 5000) s.samples.shift(); // the last ~5 s
    var first = s.samples[0];
    var speed = now > first[0] + 300 ? ((received - first[1]) / (now - first[0])) * 1000 : 0;
    var meta = "已上传 " + fmt(received) + " / " + fmt(s.size);
    if (!s.paused && !s.done && speed > 0) {
      meta += " · " + fmt(speed) + "/s · 剩余约 " + duration((s.size - received) / speed);
    }
    el.meta.textContent = meta;
  }

  function buttonsFor(mode) {
    buttons.pause.hidden = mode !== "running";
    buttons.resume.hidden = mode !== "paused";
    buttons.cancel.hidden = mode === "done";
  }

  function begin(file) {
    if (state && state.xhr) state.xhr.abort();
    state = { file: file, id: null, size: file.size, received: 0, chunk: 0, paused: false, done: false,
              xhr: null, samples: [], retries: 0 };
    hiddenId.value = "";
    panel.hidden = false;
    panel.classList.remove("is-done", "is-error");
    el.name.textContent = file.name;
    var dot = file.name.lastIndexOf(".");
    el.ext.textContent = dot > 0 ? file.name.slice(dot + 1, dot + 5).toUpperCase() : "文件";
    if (titleInput && !titleInput.value) titleInput.value = dot > 0 ? file.name.slice(0, dot) : file.name;
    if (pending) pending.hidden = true;
    buttonsFor("running");
    show(0);
    setStatus("正在连接服务器…");
    open(state);
  }

  function open(s) {
    var fp = fingerprint(s.file);
    var body = JSON.stringify({ name: s.file.name, size: s.file.size, content_type: s.file.type, fingerprint: fp });
    request("POST", api, body, { "Content-Type": "application/json" }).then(function (r) {
      if (s !== state) return;
      if (r.status !== 200 && r.status !== 201) return fail(r.body.message || "无法开始上传（HTTP " + r.status + "）");
      s.id = r.body.id;
      s.chunk = r.body.chunk_size;
      s.received = r.body.received;
      store(KEY + fp, { id: s.id, name: s.file.name, size: s.size });
      if (r.status === 200 && s.received > 0) setStatus("已找到上次的进度，从 " + fmt(s.received) + " 处继续");
      if (r.body.done) return finished(s, r.body);
      pump(s);
    }, function () { retry(s); });
  }

  function pump(s) {
    if (s !== state || s.paused || s.done) return;
    if (!s.retries) setStatus("上传中…");
    show(s.received);
    var end = Math.min(s.received + s.chunk, s.size);
    var headers = { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(s.received) };
    request("PATCH", api + "/" + s.id, s.file.slice(s.received, end), headers).then(function (r) {
      if (s !== state) return;
      s.xhr = null;
      if (r.status === 200 || r.status === 409) { // 409: the server is elsewhere; go on from there
        s.received = r.body.received;
        s.retries = 0;
        if (r.body.done) return finished(s, r.body);
        return pump(s);
      }
      if (r.status === 404) { // the session was cleaned up: start over
        store(KEY + fingerprint(s.file), null);
        return open(s);
      }
      if (r.status >= 500) return retry(s);
      fail(r.body.message || "上传失败（HTTP " + r.status + "）");
    }, function (err) {
      s.xhr = null;
      if (err.message !== "abort") retry(s);
    });
  }

  function retry(s) {
    if (s !== state || s.paused) return;
    s.retries += 1;
    var wait = Math.min(30, Math.pow(2, Math.min(s.retries, 5)));
    setStatus("网络中断，" + wait + " 秒后自动从断点继续…", "warn");
    setTimeout(function () { if (s === state && !s.paused) sync(s); }, wait * 1000);
  }

  function sync(s) { // ask the server where it stands, then go on
    if (!s.id) return open(s);
    request("GET", api + "/" + s.id).then(function (r) {
      if (s !== state) return;
      if (r.status === 404) { store(KEY + fingerprint(s.file), null); return open(s); }
      if (r.status !== 200) return retry(s);
      s.received = r.body.received;
      if (r.body.done) return finished(s, r.body);
      pump(s);
    }, function () { retry(s); });
  }

  function finished(s, body) {
    s.done = true;
    s.received = s.size;
    hiddenId.value = s.id;
    store(KEY + fingerprint(s.file), null);
    show(s.size);
    panel.classList.add("is-done");
    buttonsFor("done");
    setStatus("上传完成，文件已校验（SHA-256 " + String(body.file_sha256 || "").slice(0, 12) + "…）", "ok");
  }

  function fail(message) {
    panel.classList.add("is-error");
    buttonsFor("paused");
    if (state) state.paused = true;
    setStatus(message, "error");
  }

  buttons.pause.addEventListener("click", function () {
    if (!state) return;
    state.paused = true;
    if (state.xhr) state.xhr.abort();
    buttonsFor("paused");
    show(state.received);
    setStatus("已暂停，点击“继续”从 " + fmt(state.received) + " 处接着上传");
  });
  buttons.resume.addEventListener("click", function () {
    if (!state) return;
    state.paused = false;
    state.retries = 0;
    state.samples = [];
    panel.classList.remove("is-error");
    buttonsFor("running");
    setStatus("正在继续…");
    sync(state);
  });
  buttons.cancel.addEventListener("click", function () {
    if (!state) return;
    var s = state;
    state = null;
    if (s.xhr) s.xhr.abort();
    if (s.id) request("DELETE", api + "/" + s.id).catch(function () {});
    store(KEY + fingerprint(s.file), null);
    hiddenId.value = "";
    fileInput.value = "";
    if (pickName) pickName.textContent = "";
    panel.hidden = true;
  });

  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files[0]) begin(fileInput.files[0]);
  });

  form.addEventListener("submit", function (e) {
    if (state && !state.done) {
      e.preventDefault();
      setStatus("文件还在上传，完成后再保存草稿", "warn");
      panel.scrollIntoView({ block: "center" });
      return;
    }
    if (hiddenId.value) fileInput.disabled = true; // the bytes are on the server already; do not send them again
  });

  // the form came back with an error after a finished upload: show it as done
  if (hiddenId.value) {
    request("GET", api + "/" + hiddenId.value).then(function (r) {
      if (r.status !== 200 || !r.body.done) { hiddenId.value = ""; return; }
      state = { file: { name: r.body.name, size: r.body.size, lastModified: 0 }, id: r.body.id, size: r.body.size,
                received: r.body.size, chunk: r.body.chunk_size, paused: false, done: false, xhr: null,
                samples: [], retries: 0 };
      panel.hidden = false;
      el.name.textContent = r.body.name;
      finished(state, r.body);
    });
  } else if (pending) {
    // unfinished uploads from an earlier visit: say how far they got and how to go on
    var keys = [];
    try { keys = Object.keys(localStorage); } catch (e) { /* storage blocked */ }
    keys.filter(function (k) { return k.indexOf(KEY) === 0; }).slice(0, 3).forEach(function (k) {
      var saved;
      try { saved = JSON.parse(localStorage.getItem(k)); } catch (e) { return; }
      if (!saved || !saved.id) return;
      request("GET", api + "/" + saved.id).then(function (r) {
        if (r.status !== 200 || r.body.done) { store(k, null); return; }
        var line = document.createElement("div");
        line.textContent = "上次未完成的上传：" + r.body.name + "（已传 " + fmt(r.body.received) + " / " +
          fmt(r.body.size) + "），重新选择该文件即可从断点继续。";
        pending.appendChild(line);
        pending.hidden = false;
      });
    });
  }
})();
