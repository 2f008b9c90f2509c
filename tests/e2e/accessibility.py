"""In-page checks a browser can make: contrast (WCAG AA), labels, keyboard reach, phone width."""

from __future__ import annotations

from typing import Any

CONTRAST = """
() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(",").map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;  // gradients: checked by eye
      const c = parse(style.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
    return result;
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const element = node.parentElement;
    const skipped = "svg, math, .visually-hidden, .skip-link, noscript, [hidden]";
    if (!element || element.closest(skipped)) continue;
    if (element.closest("button[disabled]")) continue;  // WCAG exempts inactive controls
    const style = getComputedStyle(element);
    const rect = element.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none" || rect.width === 0) continue;
    const fg = parse(style.color);
    if (!fg || fg.a < 0.1) continue;  // transparent by design (the editor's textarea)
    const bg = background(element);
    if (!bg) continue;
    const colour = over(fg, bg);
    const [light, dark] = [luminance(colour), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      const text = node.textContent.trim().slice(0, 40);
      const where = `<${element.tagName.toLowerCase()} class="${element.className}">`;
      failures.push(`${ratio.toFixed(2)}:1 "${text}" in ${where}`);
    }
  }
  return failures;
}
"""

UNLABELLED = """
() => [...document.querySelectorAll("input, select, textarea")]
  .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length)
    && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
  .map((e) => e.outerHTML.slice(0, 120))
"""

FOCUSABLE = """
() => [...document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([type="hidden"]), textarea, select, summary, '
    + '[tabindex]:not([tabindex="-1"])'
  )].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"
      && !e.closest("[hidden], .visually-hidden, details:not([open]) > :not(summary)");
  }).map((e) => e.outerHTML.slice(0, 100))
"""

ACTIVE = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const editor = e.closest(".editor");
  const within = editor && getComputedStyle(editor).boxShadow !== "none";
  return { html: e.outerHTML.slice(0, 100), tag: e.tagName, visible: ring || !!within };
}
"""


def contrast_failures(page: Any) -> list[str]:
    return page.evaluate(CONTRAST)


def unlabelled_fields(page: Any) -> list[str]:
    return page.evaluate(UNLABELLED)


def keyboard_walk(page: Any, *, limit: int = 120) -> tuple[list[str], list[str]]:
    """Tab through the page from the top: (every focusable element never reached, those reached
    without a visible focus indicator). The code editor is left with Esc then Tab, as documented."""
    expected = set(page.evaluate(FOCUSABLE))
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    page.focus("body")
    reached: set[str] = set()
    invisible: list[str] = []
    for _ in range(limit):
        active = page.evaluate(ACTIVE)
        if active and active["tag"] == "TEXTAREA":
            page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if not active:
            continue
        if active["html"] in reached and len(reached) >= len(expected):
            break
        reached.add(active["html"])
        if not active["visible"]:
            invisible.append(active["html"])
    return sorted(expected - reached), invisible


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the viewport (0: fits a phone)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )
