// Run / Submit a code question and follow its status live (polling the submission API).
(function () {
  "use strict";
  var root = document.getElementById("code-question");
  if (!root) return;
  var statusEl = document.getElementById("submission-status");
  var results = document.getElementById("results");
  var body = document.getElementById("results-body");
  var editor = document.getElementById("code-editor");
  var buttons = root.querySelectorAll("button[data-kind]");
  var LABELS = { queued: "Queued…", waiting_for_gpu: "Waiting for a GPU worker…", running: "Running in the sandbox…", graded: "Graded", failed: "Could not be graded" };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function esc(text) {
    var div = document.createElement("div"); div.textContent = text == null ? "" : String(text); return div.innerHTML;
  }
  // Descriptions are markdown-ish: `code` spans become <code> (after escaping everything else).
  function md(text) { return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>"); }
  function shape(value) { return value ? "(" + value.join(", ") + ")" : "—"; }
  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }

  function render(submission) {
    statusEl.textContent = (LABELS[submission.status] || submission.status) + (submission.status_message ? " — " + submission.status_message : "");
    statusEl.dataset.status = submission.status;
    var result = submission.result;
    if (!result) {
      if (submission.status === "failed") { results.hidden = false; body.innerHTML = '<p class="error">' + esc(submission.status_message) + "</p>"; }
      return;
    }
    var html = '<p class="score ' + (result.passed_cases === result.total_cases ? "ok" : "bad") + '">';
    html += result.is_scored ? "Score: <strong>" + Math.round(result.score * 100) + "%</strong> — " : "Example run (not scored) — ";
    html += esc(result.summary) + "</p>";
    if (result.hint) html += '<p class="hint-box"><strong>Hint:</strong> ' + esc(result.hint) + "</p>";
    html += '<table class="cases"><caption>Test cases</caption><thead><tr><th scope="col">Case</th><th scope="col">Input</th><th scope="col">Expected</th><th scope="col">Yours</th><th scope="col">Result</th></tr></thead><tbody>';
    result.cases.forEach(function (c) {
      var yours = c.error ? esc(c.error.type + (c.error.line ? " (line " + c.error.line + ")" : "") + ": " + c.error.message) : shape(c.actual_shape);
      html += "<tr><td>" + (c.is_visible ? "example" : "hidden " + c.index) + "</td><td>" + shape(c.input_shape) + "</td><td>" + shape(c.expected_shape) + "</td><td>" + yours + "</td><td>" + (c.is_passed ? '<span class="ok">✔ pass</span>' : '<span class="bad">✘ fail</span>') + "</td></tr>";
    });
    html += "</tbody></table>";
    var tracebacks = result.cases.filter(function (c) { return c.error && c.error.traceback; });
    if (tracebacks.length) html += '<details open><summary>Traceback</summary><pre class="traceback">' + esc(tracebacks[0].error.traceback) + "</pre></details>";
    if (result.constraints.length) {
      html += '<h3 class="h3">Rules</h3><ul class="constraints">';
      result.constraints.forEach(function (c) { html += "<li>" + (c.is_passed ? '<span class="ok">✔</span> ' : '<span class="bad">✘</span> ') + md(c.description) + (c.is_passed ? "" : " — " + md(c.message)) + "</li>"; });
      html += "</ul>";
    }
    if (result.trace.length) {
      html += '<table class="trace"><caption>Shape trace: your layers in call order; the highlighted row is where your shapes first differ from the reference</caption><thead><tr><th scope="col">#</th><th scope="col">Layer</th><th scope="col">Type</th><th scope="col">Input</th><th scope="col">Output</th></tr></thead><tbody>';
      result.trace.forEach(function (layer, i) {
        var diverges = i === result.diverging_layer;
        html += "<tr" + (diverges ? ' class="diverges"' : "") + "><td>" + i + "</td><td>" + (layer.name ? "<code>" + esc(layer.name) + "</code>" : "(the model)") + "</td><td>" + esc(layer.type) + "</td><td>" + esc(layer.input_shape) + "</td><td>" + esc(layer.output_shape) + (diverges ? ' <strong class="bad">← first difference from the reference</strong>' : "") + "</td></tr>";
      });
      html += "</tbody></table>";
    }
    if (result.stdout) html += "<details><summary>Printed output</summary><pre>" + esc(result.stdout) + "</pre></details>";
    body.innerHTML = html;
    var wasHidden = results.hidden;
    results.hidden = false;
    if (wasHidden || submission.status === "graded") results.scrollIntoView({ block: "nearest" });
  }

  function poll(url, delay) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (submission) {
        render(submission);
        if (submission.status === "graded" || submission.status === "failed") { setBusy(false); return; }
        setTimeout(function () { poll(url, Math.min(delay * 1.5, 2000)); }, delay);
      })
      .catch(function () { statusEl.textContent = "Lost contact with the server; retrying…"; setTimeout(function () { poll(url, 2000); }, 2000); });
  }

  var reset = document.getElementById("reset-code");
  if (reset) {
    reset.addEventListener("click", function () {
      if (editor.value !== reset.dataset.starter && !window.confirm("Replace your code with the starter code?")) return;
      editor.value = reset.dataset.starter;
      editor.dispatchEvent(new Event("input"));
      editor.focus();
    });
  }
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var run = root.querySelector('button[data-kind="run"]');
      if (!run.disabled) run.click();
    }
  });

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      setBusy(true);
      statusEl.textContent = "Sending…";
      fetch(root.dataset.submitUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ code: editor.value, kind: button.dataset.kind })
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (reply) {
        if (!reply.ok) { statusEl.textContent = reply.data.detail || "Could not send your code."; setBusy(false); return; }
        render(reply.data);
        if (reply.data.status === "graded" || reply.data.status === "failed") { setBusy(false); return; }
        poll(reply.data.url, 150);
      }).catch(function () { statusEl.textContent = "Could not reach the server."; setBusy(false); });
    });
  });
})();
