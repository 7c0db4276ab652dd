// Upload page: drag and drop, one request per file with its own progress bar, then the live status row.
// Without this script the form still posts all chosen files at once.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("upload-files");
  var list = document.getElementById("upload-list");
  if (!form || !zone || !input || !list) { return; }
  var meta = document.querySelector('meta[name="csrf-token"]');
  zone.classList.add("js");  // the label is the button now; the native input is hidden (documents.css)
  var maxBytes = parseInt(zone.getAttribute("data-max-bytes"), 10) || 0;
  var maxMb = zone.getAttribute("data-max-mb");

  function row(name) {
    var li = document.createElement("li");
    li.className = "upload-row";
    var label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = name;
    li.appendChild(label);
    return li;
  }

  function fail(li, message) {
    li.classList.add("upload-failed");
    var old = li.querySelector("progress, .upload-note");
    if (old) { old.remove(); }
    var note = document.createElement("span");
    note.className = "error-text upload-note";
    note.textContent = message;
    li.appendChild(note);
  }

  // The server answers with <li> rows rendered from escaped data; swap them in and let htmx poll.
  function replace(li, html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var rows = holder.content.querySelectorAll("li.upload-row");
    if (!rows.length) { return false; }
    rows.forEach(function (node) {
      list.insertBefore(node, li);
      if (window.htmx) { window.htmx.process(node); }
    });
    li.remove();
    return true;
  }

  function send(file) {
    var li = row(file.name);
    list.insertBefore(li, list.firstChild);
    if (maxBytes && file.size > maxBytes) {
      fail(li, "文件“" + file.name + "”超过" + maxMb + "MB上限");
      return;
    }
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "上传进度");
    li.appendChild(bar);
    var data = new FormData();
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/documents/upload?fragment=1");
    if (meta) { xhr.setRequestHeader("X-CSRF-Token", meta.content); }
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { bar.value = Math.round(event.loaded * 100 / event.total); }
    });
    xhr.addEventListener("load", function () {
      var ok = (xhr.status === 200 || xhr.status === 422) && replace(li, xhr.responseText);
      if (!ok) { fail(li, "上传失败（HTTP " + xhr.status + "），请刷新页面后重试"); }
    });
    xhr.addEventListener("error", function () { fail(li, "上传失败：网络错误"); });
    xhr.send(data);
  }

  function sendAll(files) {
    Array.prototype.forEach.call(files, send);
    input.value = "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!input.files.length) { input.click(); return; }
    sendAll(input.files);
  });
  input.addEventListener("change", function () { if (input.files.length) { sendAll(input.files); } });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) { sendAll(event.dataTransfer.files); }
  });
})();
