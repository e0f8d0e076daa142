// The desk's forms. On the upload page: files dropped or chosen join a queue (each with its
// own caption fields), then each is sent to POST /api/assets with the batch's fields and the
// session's CSRF token, with a progress bar and a result in the page's language. On the edit
// page: the guideline checks re-run as the person types, shown next to the field concerned.
// No framework, no inline script; the forms work without it where they can.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const edit = document.getElementById("edit-form");
  if (form) upload(form);
  if (edit) liveChecks(edit);

  function explain(code) {
    const item = document.querySelector('#upload-codes [data-code="' + code + '"]') ||
      document.querySelector('#upload-codes [data-code="other"]');
    return item ? item.textContent : code;
  }

  // The batch's fields as (name, value) pairs, in the API's names.
  function batchFields(root) {
    const out = [];
    const value = (id) => (root.querySelector("#" + id) || {}).value || "";
    ["caption_vi", "caption_en", "credit", "license", "access", "spot"].forEach((name) => {
      const v = value(name).trim();
      if (v) out.push([name, v]);
    });
    root.querySelectorAll('input[name="themes"]:checked, input[name="audiences"]:checked')
      .forEach((box) => out.push(["tag", box.value]));
    value("other_tags").split(/[,;]/).map((t) => t.trim()).filter(Boolean)
      .forEach((t) => out.push(["tag", t]));
    const consent = root.querySelector("#consent");
    if (consent && consent.checked) out.push(["consent", "true"]);
    return out;
  }

  function upload(form) {
    const input = document.getElementById("files");
    const drop = document.getElementById("drop");
    const queue = document.getElementById("queue");
    const send = document.getElementById("send");
    const summary = document.getElementById("summary");
    const d = form.dataset;
    const waiting = [];
    let serial = 0;

    // A control with its label, for a file's own fields.
    function labelled(label, control) {
      const wrap = document.createElement("div");
      const l = document.createElement("label");
      control.id = "f" + (serial++);
      l.htmlFor = control.id;
      l.textContent = label;
      wrap.append(l, control);
      return wrap;
    }

    function field(label, name, lang) {
      const input = document.createElement("input");
      input.name = name;
      if (lang) input.lang = lang;
      return labelled(label, input);
    }

    // A select whose first option keeps the batch's value.
    function choice(label, name, options) {
      const select = document.createElement("select");
      select.name = name;
      [["", d.asBatch]].concat(options).forEach(([value, text]) => {
        const o = document.createElement("option");
        o.value = value;
        o.textContent = text;
        select.appendChild(o);
      });
      return labelled(label, select);
    }

    // The batch's spot list, without its own "as matched" choice.
    function spotChoices() {
      const batch = document.getElementById("spot");
      if (!batch) return [];
      return Array.from(batch.options).filter((o) => o.value).map((o) => [o.value, o.textContent]);
    }

    // A small picture of the file, made in the browser (a format it cannot show: none).
    function thumbnail(file) {
      const video = file.type.startsWith("video/");
      if (!video && !file.type.startsWith("image/")) return document.createTextNode("");
      const el = document.createElement(video ? "video" : "img");
      el.className = "queue-thumb";
      el.src = URL.createObjectURL(file);
      if (video) {
        el.muted = true;
        el.preload = "metadata";
      } else {
        el.alt = "";
        el.decoding = "async";
      }
      el.addEventListener("error", () => el.remove());
      return el;
    }

    function add(file) {
      const item = document.createElement("li");
      item.className = "queued";
      const name = document.createElement("strong");
      name.textContent = file.name;
      const size = document.createElement("span");
      size.className = "muted";
      size.textContent = " " + (file.size / 1048576).toFixed(1).replace(".", document.documentElement.lang === "vi" ? "," : ".") + " MB";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn";
      remove.textContent = d.remove;
      // This file's own details: what is filled in here replaces the batch's (tags add to it).
      const own = document.createElement("div");
      own.className = "own";
      const captions = document.createElement("div");
      captions.className = "field-row";
      captions.append(field(d.captionVi, "caption_vi", "vi"), field(d.captionEn, "caption_en", "en"));
      const more = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = d.more;
      const rest = document.createElement("div");
      rest.className = "field-row";
      rest.append(field(d.credit, "credit"), field(d.license, "license"), field(d.tags, "other_tags"),
        choice(d.spotLabel, "spot", spotChoices()), choice(d.consentLabel, "consent", [["true", d.yes], ["false", d.no]]));
      more.append(summary, rest);
      own.append(captions, more);
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.hidden = true;
      const result = document.createElement("span");
      result.className = "result";
      result.setAttribute("role", "status");
      item.append(thumbnail(file), name, size, remove, own, bar, result);
      queue.appendChild(item);
      const entry = { file, item, own, bar, result, remove };
      waiting.push(entry);
      remove.addEventListener("click", () => {
        waiting.splice(waiting.indexOf(entry), 1);
        item.remove();
        send.disabled = waiting.length === 0;
      });
      send.disabled = false;
    }

    // The fields of one file: its own values over the batch's; its tags besides the batch's.
    function fieldsFor(entry, batch) {
      const own = [];
      entry.own.querySelectorAll("input, select").forEach((i) => {
        const v = i.value.trim();
        if (!v) return;
        if (i.name === "other_tags") {
          v.split(/[,;]/).map((t) => t.trim()).filter(Boolean).forEach((t) => own.push(["tag", t]));
        } else {
          own.push([i.name, v]);
        }
      });
      const replaced = own.map(([k]) => k).filter((k) => k !== "tag");
      // A file's own consent answer replaces the batch's checkbox either way.
      return batch.filter(([k]) => !replaced.includes(k)).concat(own);
    }

    function post(entry, fields) {
      return new Promise((resolve) => {
        const data = new FormData();
        fields.forEach(([k, v]) => data.append(k, v));
        data.append("file", entry.file, entry.file.name);
        const xhr = new XMLHttpRequest();
        xhr.open("POST", "/api/assets");
        xhr.setRequestHeader("X-CSRF-Token", d.csrf);
        entry.bar.hidden = false;
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) entry.bar.value = Math.round((e.loaded / e.total) * 100);
        };
        xhr.onload = () => {
          let body = {};
          try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
          entry.result.textContent = "";
          if (xhr.status === 200 || xhr.status === 201) {
            entry.bar.value = 100;
            entry.item.className = "done";
            const link = document.createElement("a");
            link.href = "/assets/" + body.id;
            link.textContent = d.open;
            entry.result.append((xhr.status === 201 ? d.done : d.duplicate) + " · ", link);
            if (body.status === "draft") offerSubmit(entry, body.id);
          } else if (xhr.status === 202) {
            entry.item.className = "done";
            entry.result.textContent = explain("received");
          } else {
            entry.item.className = "failed";
            entry.result.textContent = d.failed + ": " + explain(body.code || "other");
          }
          resolve(xhr.status < 300);
        };
        xhr.onerror = () => {
          entry.item.className = "failed";
          entry.result.textContent = d.failed + ": " + explain("upload-failed");
          resolve(false);
        };
        xhr.send(data);
      });
    }

    // Drafts just uploaded, each with its own "submit for review" and all of them at once.
    const drafts = [];
    const submitAll = document.getElementById("submit-all");

    async function submitOne(entry) {
      const resp = await fetch("/api/assets/" + entry.id + "/submit", {
        method: "POST",
        headers: { "X-CSRF-Token": d.csrf, "Content-Type": "application/json" },
        body: "{}",
      });
      let body = {};
      try { body = await resp.json(); } catch (e) { /* not JSON */ }
      entry.button.remove();
      const said = document.createElement("span");
      said.className = resp.ok ? "submitted" : "refused";
      said.textContent = resp.ok ? " · " + d.submitted : " · " + d.notSubmitted + ": " + explain(body.code || "other");
      entry.result.append(said);
      drafts.splice(drafts.indexOf(entry), 1);
      submitAll.hidden = drafts.length === 0;
      return resp.ok;
    }

    function offerSubmit(entry, id) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn submit-one";
      button.textContent = d.submit;
      const draft = { id, button, result: entry.result };
      button.addEventListener("click", () => submitOne(draft));
      entry.result.append(" ", button);
      drafts.push(draft);
      submitAll.hidden = false;
    }

    submitAll.addEventListener("click", async () => {
      submitAll.disabled = true;
      const all = drafts.slice();
      let ok = 0;
      for (const draft of all) {
        if (await submitOne(draft)) ok += 1;
      }
      summary.textContent = d.submittedAll.replace("{n}", ok).replace("{total}", all.length);
      submitAll.disabled = false;
    });

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      send.disabled = true;
      const batch = batchFields(form);
      let ok = 0;
      const jobs = waiting.splice(0, waiting.length);
      for (const entry of jobs) {
        const fields = fieldsFor(entry, batch);
        entry.own.remove();
        entry.remove.remove();
        if (await post(entry, fields)) ok += 1;
      }
      summary.textContent = ok + " / " + jobs.length;
    });

    input.addEventListener("change", () => {
      Array.from(input.files).forEach(add);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, (e) => {
      e.preventDefault();
      drop.classList.remove("over");
    }));
    drop.addEventListener("drop", (e) => Array.from(e.dataTransfer.files).forEach(add));

    const sloganForm = document.getElementById("slogan-form");
    sloganForm.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = document.getElementById("slogan-text").value.trim();
      if (!text) return;
      const file = new File([text + "\n"], "khau-hieu.txt", { type: "text/plain" });
      add(file);
      const entry = waiting.pop();
      entry.own.remove();
      entry.remove.remove();
      await post(entry, [["kind", "slogan"]]);
    });
  }

  function liveChecks(edit) {
    let timer = null;
    async function check() {
      const body = new URLSearchParams(new FormData(edit));
      const resp = await fetch(edit.dataset.check, {
        method: "POST",
        headers: { "X-CSRF-Token": edit.querySelector('input[name="csrf"]').value },
        body,
      });
      if (!resp.ok) return;
      const problems = await resp.json();
      edit.querySelectorAll(".field-problems").forEach((list) => {
        const mine = problems.filter((p) => p.field === list.dataset.field);
        list.replaceChildren(...mine.map((p) => {
          const li = document.createElement("li");
          li.textContent = p.text;
          return li;
        }));
      });
    }
    edit.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
    edit.addEventListener("change", () => {
      clearTimeout(timer);
      timer = setTimeout(check, 50);
    });
  }
})();
