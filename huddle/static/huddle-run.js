/* Direct runs: stream a step's answer into its textarea (NDJSON from the server), then reload so
   the next step's prompt is rendered with the (possibly edited) answers. Without JavaScript the
   Generate button posts the form and the server waits for the whole answer. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-stream]");
    if (!button || !window.fetch || !window.TextDecoder) return;
    event.preventDefault();
    var form = button.form, target = document.querySelector(button.dataset.target);
    var status = button.parentElement.querySelector("[data-stream-status]");
    button.disabled = true;
    target.value = "";
    if (status) status.textContent = "Generating…";
    fetch(button.dataset.stream, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/x-ndjson" },
      credentials: "same-origin"
    }).then(function (response) {
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function read() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, { stream: true });
          var lines = buffer.split("\n");
          buffer = lines.pop();
          lines.forEach(function (line) {
            if (!line.trim()) return;
            var message = JSON.parse(line);
            if (message.delta) target.value += message.delta;
            if (message.error) {
              if (status) status.textContent = message.error;
              status && status.setAttribute("role", "alert");
            }
            if (message.done) window.location.reload();
            if (message.error) setTimeout(function () { window.location.reload(); }, 1500);
          });
          return read();
        });
      }
      return read();
    }).catch(function () {
      if (status) status.textContent = "The connection dropped; try again.";
      button.disabled = false;
    });
  });
})();
