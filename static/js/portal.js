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
  // A picker's search answer replaces its choices. The server keeps what was chosen when the search
  // was sent; what the person chose while the answer was on its way is kept here: still chosen when
  // it is among the new choices, else put back at the top of the list, chosen, so a search never
  // silently drops a choice. (The choices in the page at swap time are what the person sees.)
  var pickerChoices = new WeakMap();
  function chosenIn(container) {
    var chosen = [];
    container.querySelectorAll("select option:checked, input[type=checkbox]:checked").forEach(function (el) {
      if (el.value === "") { return; }
      var option = el.tagName === "OPTION";
      chosen.push({value: el.value, name: option ? el.closest("select").name : el.name,
                   text: (option ? el.textContent : el.closest("label").textContent).trim()});
    });
    return chosen;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target || !target.classList.contains("picker-options")) { return; }
    var focused = target.contains(document.activeElement) ? document.activeElement : null;
    pickerChoices.set(target, {chosen: chosenIn(target), focused: focused && {value: focused.value}});
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var before = target && pickerChoices.get(target);
    if (!before) { return; }
    pickerChoices.delete(target);
    var values = before.chosen.map(function (c) { return c.value; });
    var select = target.querySelector("select");
    if (select) {
      var option = null;
      if (values.length) {
        option = Array.prototype.find.call(select.options, function (o) { return o.value === values[0]; });
        if (!option) {
          option = new Option(before.chosen[0].text, values[0]);
          select.insertBefore(option, select.options[1] || null);  // after the "choose" line
        }
      }
      select.value = option ? option.value : "";
      if (before.focused) { select.focus(); }
      return;
    }
    var group = target.querySelector(".checks");
    if (!group) { return; }
    group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = values.indexOf(box.value) !== -1;
    });
    before.chosen.slice().reverse().forEach(function (c) {
      if (group.querySelector("input[type=checkbox][value='" + CSS.escape(c.value) + "']")) { return; }
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = c.name;
      box.value = c.value;
      box.checked = true;
      label.append(box, " " + c.text);
      group.prepend(label);
    });
    if (before.focused) {
      var same = group.querySelector("input[type=checkbox][value='" + CSS.escape(before.focused.value) + "']");
      var box = same || group.querySelector("input[type=checkbox]");
      if (box) { box.focus(); }
    }
  });
  // A part marked data-keep-edits is replaced by an answer that proposes values (the deadline that
  // follows the chosen source); what the person typed into it while the answer was on its way wins.
  var editsInFlight = new WeakMap();  // the request (xhr) -> {field name: value when it was sent}
  function fieldValues(container) {
    var values = {};
    container.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (el) {
      values[el.name] = el.value;
    });
    return values;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.matches("[data-keep-edits]")) {
      editsInFlight.set(event.detail.xhr, {id: target.id, sent: fieldValues(target)});
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var request = editsInFlight.get(event.detail.xhr);
    if (!request) { return; }
    var now = fieldValues(event.detail.target);
    request.typed = {};
    Object.keys(now).forEach(function (name) {
      if (now[name] !== request.sent[name]) { request.typed[name] = now[name]; }
    });
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var request = editsInFlight.get(event.detail.xhr);
    var part = request && request.typed && document.getElementById(request.id);
    if (!part) { return; }
    editsInFlight.delete(event.detail.xhr);
    Object.keys(request.typed).forEach(function (name) {
      var field = part.querySelector("[name='" + CSS.escape(name) + "']");
      if (field) { field.value = request.typed[name]; }
    });
  });
  // The header's menu (base.html): wider than 900 px it stands open. Browsers that know ::details-content
  // show it by CSS alone; for the others it is opened here, and folded again on a phone-width screen.
  // An open 更多 closes on a click elsewhere or on Escape.
  var wide = window.matchMedia("(min-width: 901px)");
  function fitMenu() {
    if (CSS.supports && CSS.supports("selector(::details-content)")) { return; }
    document.querySelectorAll("[data-sitemenu]").forEach(function (menu) { menu.open = wide.matches; });
  }
  fitMenu();
  if (wide.addEventListener) { wide.addEventListener("change", fitMenu); }
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details[data-menu][open], details[data-sitemenu][open]").forEach(function (menu) {
      if (menu.matches("[data-sitemenu]") && wide.matches) { return; }
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) { summary.focus(); }
    });
  });
  // A phone's action bar (items/_item_actions.html): a link to an action folded in a <details> opens it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-open-action]");
    var form = link && document.getElementById(link.getAttribute("href").slice(1));
    var fold = form && form.closest("details");
    if (fold) { fold.open = true; }
  });
  // Print buttons.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
