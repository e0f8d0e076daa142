// brandvault upload page: each dropped or chosen file is sent to POST /api/assets with the
// session's CSRF token, with a progress bar per file. No framework, no inline script.
"use strict";
(function () {
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const list = document.getElementById("progress");
  const csrf = drop.dataset.csrf;

  function send(file) {
    const item = document.createElement("li");
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    item.textContent = file.name + " ";
    item.appendChild(bar);
    list.appendChild(item);
    const form = new FormData();
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/assets");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    };
    xhr.onload = function () {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      const status = document.createElement("span");
      if (xhr.status === 200 || xhr.status === 201) {
        bar.value = 100;
        const link = document.createElement("a");
        link.href = "/assets/" + body.id;
        link.textContent = drop.dataset.done;
        status.appendChild(document.createTextNode(" "));
        status.appendChild(link);
        item.className = "done";
      } else {
        status.textContent = " " + drop.dataset.failed + ": " + (body.message || xhr.status);
        item.className = "failed";
      }
      item.appendChild(status);
    };
    xhr.onerror = function () {
      item.appendChild(document.createTextNode(" " + drop.dataset.failed));
      item.className = "failed";
    };
    xhr.send(form);
  }

  input.addEventListener("change", function () {
    Array.from(input.files).forEach(send);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.style.background = "#eef6f0"; });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function (e) { e.preventDefault(); drop.style.background = ""; });
  });
  drop.addEventListener("drop", function (e) {
    Array.from(e.dataTransfer.files).forEach(send);
  });
})();
