"""Template filters of the student pages."""

from __future__ import annotations

from django import template

from quizzes.misconceptions import get_misconception

register = template.Library()


@register.filter
def misconception_title(misconception_id: str) -> str:
    """The catalogue's name for a misconception id ("" stays "")."""
    if not misconception_id:
        return ""
    entry = get_misconception(misconception_id)
    return entry.title if entry else misconception_id.replace("_", " ")
