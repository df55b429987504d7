/* "New from a pasted prompt": turn selected spans of the pasted prompt into inputs.
   Loaded in <head> and delegated from the document, so it works from the first paint. */
(function () {
  "use strict";
  function $(id) { return document.getElementById(id); }
  function refreshHint() {
    var area = $("pasted"), hint = $("paste-hint");
    if (/\{\{.*?\}\}/.test(area.value)) { hint.textContent = "This prompt already has {{ variables }}; they'll become inputs in the editor if you declare them."; }
    else if (area.value.trim()) { hint.textContent = "No variables yet: select a word or phrase that changes each time, name it, and click “Turn selection into input”."; }
    else { hint.textContent = ""; }
  }
  document.addEventListener("input", function (event) {
    if (event.target.id === "pasted") refreshHint();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("#make-input")) return;
    var area = $("pasted"), hint = $("paste-hint"), nameBox = $("input-name");
    var start = area.selectionStart, end = area.selectionEnd;
    var name = (nameBox.value || "").trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
    if (start === end) { hint.textContent = "Select the text to replace first."; return; }
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) { hint.textContent = "Give the input a name: letters, digits and _."; nameBox.focus(); return; }
    var selected = area.value.slice(start, end);
    area.value = area.value.slice(0, start) + "{{ " + name + " }}" + area.value.slice(end);
    if (!document.querySelector('[data-input="' + name + '"]')) {
      var fields = $("input-fields"), i = fields.querySelectorAll("[data-input]").length;
      [["input_name_", name], ["input_default_", ""], ["input_required_", "on"]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = pair[0] + i; input.value = pair[1];
        if (pair[0] === "input_name_") { input.setAttribute("data-input", name); input.setAttribute("data-example", selected); }
        fields.appendChild(input);
      });
      var li = document.createElement("li"); li.className = "tag";
      li.textContent = name + " (was “" + selected.slice(0, 40) + "”)"; $("made-inputs").appendChild(li);
    }
    nameBox.value = ""; refreshHint();
  });
})();
