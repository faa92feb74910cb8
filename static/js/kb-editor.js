// Knowledge-base editor: an image pasted or dropped into the text becomes an attachment of the article,
// and its Markdown is inserted at the cursor. Loaded by templates/kb/form.html only; no inline script (CSP).
// The server (POST /kb/images) saves a draft first when the article is new, and answers with its address:
// the form then posts to it as an edit.
(function () {
  "use strict";
  var IMAGE = /^image\/(png|jpeg|gif|webp)$/;
  var EXTENSION = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function imagesOf(list) {
    var found = [];
    for (var i = 0; list && i < list.length; i++) {
      if (IMAGE.test(list[i].type)) { found.push(list[i]); }
    }
    return found;
  }

  function insertAtCursor(area, text) {
    var start = area.selectionStart, end = area.selectionEnd, value = area.value;
    var before = value.slice(0, start), after = value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var insert = lead + text + "\n";
    area.value = before + insert + after;
    area.selectionStart = area.selectionEnd = start + insert.length;
    area.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
  }

  function hidden(form, name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function showError(area, message) {
    var box = document.getElementById("kb-image-error");
    if (box) {
      box.textContent = message || "";
      box.hidden = !message;
    }
  }

  function upload(area, file) {
    var form = area.form, url = area.getAttribute("data-image-upload");
    var data = new FormData();
    var name = file.name && /\.[A-Za-z]+$/.test(file.name) ? file.name : "image." + EXTENSION[file.type];
    data.append("file", file, name);
    var article = form.querySelector('input[name="article"]');
    if (article && article.value) {
      data.append("article", article.value);
    } else {
      data.append("title", (form.querySelector('[name="title"]') || {}).value || "");
      data.append("category", (form.querySelector('[name="category"]') || {}).value || "");
    }
    area.setAttribute("aria-busy", "true");
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var error = body.error || {};
            throw new Error((error.fields && error.fields.file) || error.message || response.statusText);
          }
          return body;
        });
      })
      .then(function (body) {
        if (!article || !article.value) {  // a draft was saved: from now on the form edits it
          form.action = body.edit;
          hidden(form, "article", body.article);
          hidden(form, "revision", body.revision);
          if (window.history && window.history.replaceState) { window.history.replaceState(null, "", body.edit); }
        }
        insertAtCursor(area, body.markdown);
        showError(area, "");
      })
      .catch(function (error) { showError(area, error.message); })
      .finally(function () { area.removeAttribute("aria-busy"); });
  }

  function handle(area, files, event) {
    var images = imagesOf(files);
    if (!images.length) { return; }
    event.preventDefault();
    images.reduce(function (done, file) {
      return done.then(function () { return upload(area, file); });
    }, Promise.resolve());
  }

  function attach(area) {
    area.addEventListener("paste", function (event) {
      handle(area, event.clipboardData && event.clipboardData.files, event);
    });
    area.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.some.call(event.dataTransfer.items || [], function (item) {
        return item.kind === "file";
      })) { event.preventDefault(); }
    });
    area.addEventListener("drop", function (event) {
      handle(area, event.dataTransfer && event.dataTransfer.files, event);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("textarea[data-image-upload]");
    for (var i = 0; i < areas.length; i++) { attach(areas[i]); }
  });
}());
