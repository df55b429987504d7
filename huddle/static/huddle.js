/* Huddle's small behaviours, attached by data attributes (no inline scripts: the pages run under
   a Content-Security-Policy without 'unsafe-inline').
   - data-copy="#selector": copy the element's value (inputs, textareas) or text; a
     [data-copied] element, if any, announces it.
   - data-confirm="question": ask before the button's form is submitted.
   - data-add-row="list id" data-template="template id" data-probe="field name prefix": append a
     row from a <template>, replacing __i__ with the next free index and __n__ with index + 1.
   - data-autosubmit on a select: submit its form when it changes. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
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
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
})();
