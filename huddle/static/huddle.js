/* Huddle's small behaviours, attached by data attributes (no inline scripts: the pages run under
   a Content-Security-Policy without 'unsafe-inline').
   - data-copy="#selector": copy the element's value (inputs, textareas) or text; a
     [data-copied] element, if any, announces it.
   - data-confirm="question": ask before the button's form is submitted.
   - data-add-row="list id" data-template="template id" data-probe="field name prefix": append a
     row from a <template>, replacing __i__ with the next free index and __n__ with index + 1.
   - data-menu-toggle: open or close the main menu on a phone.
   - data-autosubmit on a select: submit its form when it changes.
   - data-carry-inputs="#form" on a link or a form: take the form's in_* fields along (a link
     gets them in its query string, a form as hidden fields), so inputs typed on one page follow
     to the next ("Use it", "Run it", "Assembly preview"). */
(function () {
  "use strict";
  // The phone menu hides behind its button only when this script runs (see huddle.css).
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var open = toggle.closest(".topbar").classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      if (!source) return;
      var text = "value" in source && source.tagName !== "PRE" ? source.value : source.textContent;
      navigator.clipboard.writeText(text).then(function () {
        copy.textContent = "Copied";
        var status = document.querySelector("[data-copied]");
        if (status) status.textContent = "Copied to the clipboard.";
      });
      return;
    }
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var adder = event.target.closest("[data-add-row]");
    if (adder) {
      var list = document.getElementById(adder.dataset.addRow);
      var template = document.getElementById(adder.dataset.template).innerHTML;
      var index = 0;
      while (document.getElementsByName(adder.dataset.probe + index).length) index++;
      list.insertAdjacentHTML("beforeend",
        template.split("__i__").join(index).split("__n__").join(index + 1));
      var first = list.lastElementChild.querySelector("input, textarea");
      if (first) first.focus();
    }
  });
  function carried(selector) {
    var form = document.querySelector(selector);
    if (!form) return [];
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && field.name.indexOf("in_") === 0;
    });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-carry-inputs]");
    if (!link) return;
    var url = new URL(link.href, window.location.href);
    carried(link.dataset.carryInputs).forEach(function (field) {
      url.searchParams.set(field.name, field.value);
    });
    link.href = url.toString();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-carry-inputs]")) return;
    carried(form.dataset.carryInputs).forEach(function (field) {
      var copy = form.querySelector('input[type="hidden"][name="' + field.name + '"]');
      if (!copy) {
        copy = document.createElement("input"); copy.type = "hidden"; copy.name = field.name;
        form.appendChild(copy);
      }
      copy.value = field.value;
    });
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
})();
