"""The ``code_questions`` section of a bank file: code-question templates at chosen seeds.

    code_questions:
      - slug: map-shape-1
        title: Map one shape to another      # optional: the template's own title otherwise
        topic: conv-output-size              # optional
        template: map-shape
        seed: 1
        published: true

Pure Python: parse and validate with line numbers (the quizzes bank's loader records them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.questions import UnknownCodeTemplateError, get_template, template_slugs
from quizzes.bank import SLUG_PATTERN, line_of


@dataclass(frozen=True)
class CodeQuestionData:
    slug: str
    template: str
    seed: int
    title: str = ""
    topic: str = ""
    published: bool = True


def parse_code_questions(
    raw: Any, known_topics: set[str], errors: list[str]
) -> list[CodeQuestionData]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append("'code_questions' must be a list")
        return []
    result: list[CodeQuestionData] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("every code question must be a mapping with slug, template and seed")
            continue
        where = line_of(item)
        unknown = set(item) - {"slug", "title", "topic", "template", "seed", "published"}
        if unknown:
            errors.append(f"{where}: unknown code question keys: {', '.join(sorted(unknown))}")
        slug = item.get("slug")
        if not isinstance(slug, str) or not SLUG_PATTERN.match(slug) or len(slug) > 80:
            errors.append(f"{where}: code question slug must be a-z, 0-9, '-' or '_' text")
            slug = ""
        elif slug in seen:
            errors.append(f"{where}: code question slug '{slug}' appears twice")
        seen.add(slug)
        template = item.get("template")
        try:
            get_template(str(template))
        except UnknownCodeTemplateError:
            errors.append(
                f"{where}: unknown code template {template!r} "
                f"(known: {', '.join(template_slugs())})"
            )
        seed = item.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**62:
            errors.append(f"{where}: 'seed' must be a whole number from 0 to 2^62 - 1")
            seed = 0
        topic = item.get("topic") or ""
        if topic and topic not in known_topics:
            errors.append(f"{where}: code question '{slug}' names unknown topic '{topic}'")
        title = item.get("title") or ""
        if not isinstance(title, str) or len(title) > 160:
            errors.append(f"{where}: 'title' must be text of at most 160 characters")
            title = ""
        published = item.get("published", True)
        if not isinstance(published, bool):
            errors.append(f"{where}: 'published' must be true or false")
            published = True
        result.append(
            CodeQuestionData(
                slug=slug,
                template=str(template),
                seed=seed,
                title=title,
                topic=str(topic),
                published=published,
            )
        )
    return result


def dump_code_questions(questions: list[CodeQuestionData]) -> list[dict[str, Any]]:
    return [
        {
            "slug": q.slug,
            "title": q.title,
            "topic": q.topic,
            "template": q.template,
            "seed": q.seed,
            "published": q.published,
        }
        for q in questions
    ]
