"""Markdown to safe HTML for prompts and solutions, with highlighted PyTorch code."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "p",
    "pre",
    "code",
    "span",
    "div",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "h3",
    "h4",
    "sub",
    "sup",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"span": {"class"}, "div": {"class"}, "code": {"class"}, "pre": {"class"}}


def _converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["fenced_code", "codehilite", "tables", "sane_lists"],
        extension_configs={"codehilite": {"css_class": "highlight", "guess_lang": False}},
    )


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = _converter().convert(text)
    # Template intros come from instructors: whatever they type, students get no script.
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES)


def render_markdown(text: str) -> SafeString:
    """Sanitised HTML; cached because the same prompt is rendered for every student who sees it."""
    return mark_safe(_render(text or ""))  # noqa: S308 - sanitised by nh3 above
