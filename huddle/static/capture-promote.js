/* The promote page: select text in a step, name it, and it becomes an input (a span). */
(function () {
  var form = document.getElementById("promote-form"), list = document.getElementById("spans");
  var hint = document.getElementById("promote-hint"), nameBox = document.getElementById("span-name");
  var everywhere = document.getElementById("span-everywhere"), chosen = null;
  function refresh() { if (window.htmx) { htmx.trigger(form, "spans-changed"); } }
  document.querySelectorAll(".promote-step").forEach(function (area) {
    function remember() {
      var text = area.value.slice(area.selectionStart, area.selectionEnd);
      if (text) { chosen = {step: area.dataset.step, text: text}; hint.textContent = "Selected “" + text.slice(0, 60) + "”: name it and press “Make it an input”."; }
    }
    ["select", "mouseup", "keyup"].forEach(function (e) { area.addEventListener(e, remember); });
  });
  function addSpan(step, text, name) {
    var k = 0;
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
  document.getElementById("make-input").addEventListener("click", function () {
    var name = (nameBox.value || "").trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
    if (!chosen) { hint.textContent = "Select some text in a prompt first."; return; }
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) { hint.textContent = "Give the input a name: letters, digits and _."; nameBox.focus(); return; }
    addSpan(everywhere.checked ? "" : chosen.step, chosen.text, name);
    hint.textContent = "“" + name + "” added. Select the next part that changes, or promote.";
    nameBox.value = ""; chosen = null; refresh();
  });
  list.addEventListener("click", function (event) {
    if (event.target.hasAttribute("data-remove")) { event.target.closest("[data-span]").remove(); refresh(); }
  });
})();
