// A small, dependency-free code editor: a textarea with a highlighted layer behind it, line
// numbers, Tab/Shift-Tab indentation, auto-indent, and an accessible way out (Esc, then Tab).
(function () {
  "use strict";
  var KEYWORDS = /^(False|None|True|and|as|assert|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield|self)$/;
  var TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|([^\sA-Za-z0-9_#"']+)/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(source) {
    var out = "", last = 0, match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(source)) !== null) {
      out += escapeHtml(source.slice(last, match.index));
      var text = escapeHtml(match[0]), cls = "";
      if (match[1]) cls = "c";
      else if (match[2]) cls = "s";
      else if (match[3]) cls = "m";
      else if (match[4]) cls = KEYWORDS.test(match[4]) ? "k" : (/^[A-Z]/.test(match[4]) ? "nc" : "");
      out += cls ? '<span class="' + cls + '">' + text + "</span>" : text;
      last = TOKEN.lastIndex;
    }
    return out + escapeHtml(source.slice(last)) + "\n";
  }

  function attach(root) {
    var area = root.querySelector("textarea");
    var layer = root.querySelector(".highlight-layer code");
    var gutter = root.querySelector(".gutter");
    var escaped = false;

    function refresh() {
      layer.innerHTML = highlight(area.value);
      var lines = area.value.split("\n").length, numbers = "";
      for (var i = 1; i <= lines; i++) numbers += i + "\n";
      gutter.textContent = numbers;
      syncScroll();
    }
    function syncScroll() {
      layer.parentNode.scrollTop = area.scrollTop;
      layer.parentNode.scrollLeft = area.scrollLeft;
      gutter.scrollTop = area.scrollTop;
    }
    function replaceSelection(text, start, end, caretStart, caretEnd) {
      area.setRangeText(text, start, end, "end");
      area.selectionStart = caretStart; area.selectionEnd = caretEnd;
      refresh();
    }
    area.addEventListener("input", refresh);
    area.addEventListener("scroll", syncScroll);
    area.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { escaped = true; return; }
      if (event.key === "Tab" && escaped) { escaped = false; return; }  // let focus move on
      escaped = false;
      var start = area.selectionStart, end = area.selectionEnd, value = area.value;
      if (event.key === "Tab") {
        event.preventDefault();
        var lineStart = value.lastIndexOf("\n", start - 1) + 1;
        if (start === end && !event.shiftKey) {
          replaceSelection("    ", start, end, start + 4, start + 4);
          return;
        }
        var block = value.slice(lineStart, end), changed;
        if (event.shiftKey) {
          changed = block.replace(/^ {1,4}/gm, "");
        } else {
          changed = block.replace(/^/gm, "    ");
        }
        replaceSelection(changed, lineStart, end, lineStart, lineStart + changed.length);
      } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        var currentStart = value.lastIndexOf("\n", start - 1) + 1;
        var indent = /^[ \t]*/.exec(value.slice(currentStart, start))[0];
        if (/:\s*$/.test(value.slice(currentStart, start))) indent += "    ";
        replaceSelection("\n" + indent, start, end, start + 1 + indent.length, start + 1 + indent.length);
      }
    });
    refresh();
  }

  window.StrideEditor = { attach: attach, highlight: highlight };
  document.querySelectorAll("[data-editor]").forEach(attach);
})();
