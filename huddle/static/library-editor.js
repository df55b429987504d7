/* The workflow editor's "Insert input" buttons: one button per input declared below the steps
   (read live from the input_name_* fields), each inserting {{ name }} at the cursor of the prompt
   last focused (the first step's prompt before any). No inline script: the page's CSP forbids it. */
(function () {
  "use strict";
  var NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
  var target = null;

  function names() {
    var seen = [];
    document.querySelectorAll('input[name^="input_name_"]').forEach(function (field) {
      var name = field.value.trim();
      if (NAME.test(name) && seen.indexOf(name) < 0) seen.push(name);
    });
    return seen;
  }

  function render(bar) {
    var list = bar.querySelector("[data-insert-buttons]");
    var empty = bar.querySelector("[data-insert-empty]");
    var current = names();
    list.textContent = "";
    current.forEach(function (name) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.dataset.insertInput = name;
      button.textContent = "{{ " + name + " }}";
      button.setAttribute("aria-label", "Insert the input " + name);
      list.appendChild(button);
    });
    empty.hidden = current.length > 0;
  }

  function insert(name) {
    var area = target && document.body.contains(target) ? target
      : document.querySelector('textarea[name^="step_template_"]');
    if (!area) return;
    var text = "{{ " + name + " }}";
    var start = area.selectionStart, end = area.selectionEnd;
    area.setRangeText(text, start, end, "end");
    area.focus();
    // Tell htmx (live validation) and anyone else listening that the prompt changed.
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.getElementById("insert-inputs");
    if (!bar) return;
    bar.hidden = false;
    render(bar);
    document.addEventListener("focusin", function (event) {
      if (event.target.matches('textarea[name^="step_template_"], textarea[name="system"]')) {
        target = event.target;
      }
    });
    document.addEventListener("input", function (event) {
      if (event.target.matches('input[name^="input_name_"]')) render(bar);
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-insert-input]");
      if (button) insert(button.dataset.insertInput);
      else if (event.target.closest('[data-add-row="inputs"]')) render(bar);
    });
  });
})();
