/* The promote page: select text in a step, name it, and it becomes an input (a span).
   Loaded in <head> and delegated from the document, so it works from the first paint. */
(function () {
  "use strict";
  var chosen = null;
  function $(id) { return document.getElementById(id); }
  function refresh() { if (window.htmx) { htmx.trigger($("promote-form"), "spans-changed"); } }
  function remember(event) {
    var area = event.target;
    if (!area.classList || !area.classList.contains("promote-step")) return;
    var text = area.value.slice(area.selectionStart, area.selectionEnd);
    if (text) {
      chosen = { step: area.dataset.step, text: text };
      $("promote-hint").textContent = "Selected “" + text.slice(0, 60) + "”: name it and press “Make it an input”.";
    }
  }
  ["select", "mouseup", "keyup"].forEach(function (name) { document.addEventListener(name, remember); });
  function addSpan(step, text, name) {
    var form = $("promote-form"), list = $("spans"), k = 0;
    while (form.querySelector('[name="span_name_' + k + '"]')) k++;
    var li = document.createElement("li"); li.className = "row"; li.setAttribute("data-span", "");
    [["span_step_", step], ["span_text_", text], ["span_name_", name]].forEach(function (pair) {
      var input = document.createElement("input"); input.type = "hidden"; input.name = pair[0] + k; input.value = pair[1]; li.appendChild(input);
    });
    var code = document.createElement("code"); code.textContent = name; li.appendChild(code);
    li.appendChild(document.createTextNode(" ← “" + text.slice(0, 60) + "” "));
    var remove = document.createElement("button"); remove.type = "button"; remove.className = "button small"; remove.textContent = "Remove"; remove.setAttribute("data-remove", "");
    li.appendChild(remove); list.appendChild(li);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("#make-input")) {
      var hint = $("promote-hint"), nameBox = $("span-name");
      var name = (nameBox.value || "").trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
      if (!chosen) { hint.textContent = "Select some text in a prompt first."; return; }
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) { hint.textContent = "Give the input a name: letters, digits and _."; nameBox.focus(); return; }
      addSpan($("span-everywhere").checked ? "" : chosen.step, chosen.text, name);
      hint.textContent = "“" + name + "” added. Select the next part that changes, or promote.";
      nameBox.value = ""; chosen = null; refresh();
    } else if (event.target.hasAttribute && event.target.hasAttribute("data-remove") && event.target.closest("#spans")) {
      event.target.closest("[data-span]").remove(); refresh();
    }
  });
})();
