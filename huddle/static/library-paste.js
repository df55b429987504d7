/* "New from a pasted prompt": turn selected spans of the pasted prompt into inputs. */
(function () {
  var area = document.getElementById("pasted"), hint = document.getElementById("paste-hint");
  var nameBox = document.getElementById("input-name"), made = document.getElementById("made-inputs");
  var fields = document.getElementById("input-fields"), count = 0;
  function refreshHint() {
    if (/\{\{.*?\}\}/.test(area.value)) { hint.textContent = "This prompt already has {{ variables }}; they'll become inputs in the editor if you declare them."; }
    else if (area.value.trim()) { hint.textContent = "No variables yet: select a word or phrase that changes each time, name it, and click “Turn selection into input”."; }
    else { hint.textContent = ""; }
  }
  area.addEventListener("input", refreshHint);
  document.getElementById("make-input").addEventListener("click", function () {
    var start = area.selectionStart, end = area.selectionEnd;
    var name = (nameBox.value || "").trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
    if (start === end) { hint.textContent = "Select the text to replace first."; return; }
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) { hint.textContent = "Give the input a name: letters, digits and _."; nameBox.focus(); return; }
    var selected = area.value.slice(start, end);
    area.value = area.value.slice(0, start) + "{{ " + name + " }}" + area.value.slice(end);
    if (!document.querySelector('[data-input="' + name + '"]')) {
      var i = count++;
      fields.insertAdjacentHTML("beforeend",
        '<input type="hidden" name="input_name_' + i + '" value="' + name + '" data-input="' + name + '">' +
        '<input type="hidden" name="input_default_' + i + '" value="">' +
        '<input type="hidden" name="input_required_' + i + '" value="on">');
      fields.lastElementChild.previousElementSibling.previousElementSibling.setAttribute("data-example", selected);
      var li = document.createElement("li"); li.className = "tag"; li.textContent = name + " (was “" + selected.slice(0, 40) + "”)"; made.appendChild(li);
    }
    nameBox.value = ""; refreshHint();
  });
})();
