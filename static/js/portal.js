// Duban Portal: the only script besides htmx. No inline scripts anywhere (CSP).
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  // Every htmx request carries the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  // A network failure shows a message instead of silently doing nothing.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("messages");
    if (box) {
      var div = document.createElement("div");
      div.className = "alert alert-error";
      div.setAttribute("role", "alert");
      div.textContent = document.documentElement.lang === "en"
        ? "The portal cannot be reached. Check your connection and try again."
        : "无法连接门户，请检查网络后重试。";
      box.prepend(div);
    }
  });
  // Buttons with data-confirm ask before they act.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
  // After htmx swaps the item (or adds a message), move the focus to what needs attention
  // (a wrong field, the conflict, the confirmation) so keyboard and screen-reader users follow.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || (target.id !== "item" && target.id !== "messages")) { return; }
    var scope = target.id === "messages" ? target : document.getElementById("item");
    var el = scope && scope.querySelector("[aria-invalid='true'], [data-autofocus]");
    if (el) {
      el.focus();
      el.removeAttribute("data-autofocus");
    }
  });
  // Print buttons.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
