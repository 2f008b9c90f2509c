"""The courses' sections of a bank file: ``course_code_questions`` and ``course_templates``.

    course_code_questions:
      - course: ABCD2345               # the course's join code (the course must exist)
        lineage: private-map           # the question's stable name inside the course
        title: Map one shape to another
        topic: conv-output-size        # optional
        status: published              # or draft
        spec:                          # the whole question, as the grader stores it
          prompt: ...
          starter_code: ...
          reference_code: ...
          entry: model
          visible_input: [1, 3, 32, 32]
          hidden_inputs: [{n: [1, 4], c: [3, 3], h: [16, 64], w: [16, 64]}]
          constraints: [{kind: output_shape}]
          device: cpu
          params: {is_fix_it: false}

A question drawn from one of the grader's code-question templates (every student of an
assignment gets it at their own seed) names the template instead of a spec:

      - course: ABCD2345
        lineage: your-own-map
        title: Your own map
        template: map-shape            # a built-in code-question template
        status: published

A formula template a course authored:

    course_templates:
      - course: ABCD2345
        lineage: output-shape
        title: Output shape
        topic: conv-output-size        # must exist (in the file or the database)
        family: conv_output
        difficulty: easy
        config: {kernel_size: [3, 5]}
        intro: ""
        status: published

Only the current version of each question is written; importing a changed spec (or another
template) over a published question creates a new version, as editing it on the authoring page
would. Pure Python: parse and validate with line numbers (the quizzes bank's loader records them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.questions import UnknownCodeTemplateError, get_template, template_slugs
from grader.questions.base import CodeVariant
from quizzes.bank import SLUG_PATTERN, generation_fields, line_of
from quizzes.generators import family_names

# A template-based question's own version holds the template at this seed: what its author
# previews and validates (students get their own seeds).
TEMPLATE_PREVIEW_SEED = 1

SPEC_KEYS = {
    "prompt",
    "starter_code",
    "reference_code",
    "entry",
    "visible_input",
    "hidden_inputs",
    "constraints",
    "device",
    "params",
    "hints",
    "time_limit_s",
    "memory_limit_mb",
    "allow_cpu_fallback",
    "title",
    "template",
    "seed",
}
ITEM_KEYS = {"course", "lineage", "title", "topic", "status", "spec", "template"}


@dataclass(frozen=True)
class CourseCodeQuestionData:
    course: str
    lineage: str
    title: str
    spec: dict[str, Any]
    topic: str = ""
    status: str = "draft"
    template: str = ""  # a built-in code-question template instead of a written-out spec

    def variant(self) -> CodeVariant:
        """The question as its course's own version holds it (a template at the preview seed)."""
        if self.template:
            return get_template(self.template).generate(seed=TEMPLATE_PREVIEW_SEED)
        return CodeVariant.from_dict(self.spec)


def _spec(raw: Any, where: str, errors: list[str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        errors.append(
            f"{where}: 'spec' must be a mapping with the whole code question "
            "(or name a code-question 'template' instead)"
        )
        return {}
    spec_where = line_of(raw) or where
    unknown = set(raw) - SPEC_KEYS
    if unknown:
        errors.append(f"{spec_where}: unknown spec keys: {', '.join(sorted(unknown))}")
    missing = {"prompt", "reference_code", "entry", "visible_input", "hidden_inputs"} - set(raw)
    if missing:
        errors.append(f"{spec_where}: spec is missing {', '.join(sorted(missing))}")
        return {}
    data = {"template": "course", "seed": 0, "title": "", "starter_code": "", **dict(raw)}
    try:
        variant = CodeVariant.from_dict(data)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        errors.append(f"{spec_where}: spec is not a valid code question: {error}")
        return {}
    if not str(variant.entry).isidentifier():
        errors.append(f"{spec_where}: entry {variant.entry!r} is not a Python name")
    if len(variant.visible_input) != 4:
        errors.append(f"{spec_where}: visible_input must be four sizes (N, C, H, W)")
    return variant.to_dict()


def _identity(
    item: Mapping[str, Any],
    where: str,
    known_courses: set[str],
    seen: set[tuple[str, str]],
    errors: list[str],
) -> tuple[str, str, str]:
    """(course join code, lineage, title) of a course question row; "" where one is invalid.

    ``seen`` collects (course, lineage) pairs so a question named twice is refused."""
    course = item.get("course")
    if not isinstance(course, str) or not course.strip():
        errors.append(f"{where}: 'course' must be the course's join code")
        course = ""
    elif course.strip().upper() not in known_courses:
        errors.append(f"{where}: no course has the join code '{course}'")
    lineage = item.get("lineage")
    if not isinstance(lineage, str) or not SLUG_PATTERN.match(lineage) or len(lineage) > 60:
        errors.append(f"{where}: 'lineage' must be a-z, 0-9, '-' or '_' text")
        lineage = ""
    elif (course, lineage) in seen:
        errors.append(f"{where}: '{lineage}' appears twice for course {course}")
    seen.add((course, lineage))
    title = item.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 160:
        errors.append(f"{where}: 'title' must be text of 1 to 160 characters")
        title = ""
    return course, lineage, title


def parse_course_code_questions(
    raw: Any, known_courses: set[str], known_topics: set[str], errors: list[str]
) -> list[CourseCodeQuestionData]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append("'course_code_questions' must be a list")
        return []
    result: list[CourseCodeQuestionData] = []
    seen: set[tuple[str, str]] = set()
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("every course code question must be a mapping with course and spec")
            continue
        where = line_of(item)
        unknown = set(item) - ITEM_KEYS
        if unknown:
            errors.append(
                f"{where}: unknown course code question keys: {', '.join(sorted(unknown))}"
            )
        course, lineage, title = _identity(item, where, known_courses, seen, errors)
        topic = item.get("topic") or ""
        if not isinstance(topic, str):
            errors.append(f"{where}: 'topic' must be a topic slug")
            topic = ""
        elif topic and topic not in known_topics:
            errors.append(f"{where}: unknown topic '{topic}'")
        status = item.get("status", "draft")
        if status not in ("draft", "published"):
            errors.append(f"{where}: 'status' must be draft or published")
            status = "draft"
        template = item.get("template")
        spec: dict[str, Any] = {}
        if template is not None and "spec" in item:
            errors.append(f"{where}: give either 'spec' or 'template', not both")
        elif template is not None:
            template = _template(template, where, errors)
        else:
            spec = _spec(item.get("spec"), where, errors)
        result.append(
            CourseCodeQuestionData(
                course=course.strip().upper(),
                lineage=lineage,
                title=title,
                spec=spec,
                topic=topic,
                status=status,
                template=template or "",
            )
        )
    return result


def _template(raw: Any, where: str, errors: list[str]) -> str:
    try:
        get_template(str(raw))
    except UnknownCodeTemplateError:
        errors.append(
            f"{where}: 'template' must be a code-question template "
            f"(known: {', '.join(template_slugs())}), got {raw!r}"
        )
        return ""
    return str(raw)


def dump_course_code_questions(questions: list[CourseCodeQuestionData]) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        row: dict[str, Any] = {"course": q.course, "lineage": q.lineage, "title": q.title}
        if q.topic:
            row["topic"] = q.topic
        row["status"] = q.status
        if q.template:
            row["template"] = q.template
        else:
            row["spec"] = {
                k: v for k, v in q.spec.items() if k not in ("template", "seed", "title")
            }
        rows.append(row)
    return rows


# --- course_templates: formula templates a course authored -------------------------------------

TEMPLATE_ITEM_KEYS = {
    "course",
    "lineage",
    "title",
    "topic",
    "family",
    "difficulty",
    "config",
    "intro",
    "status",
}


@dataclass(frozen=True)
class CourseTemplateData:
    """The current version of a formula template a course authored (``course_templates``).

    Kept apart from the public ``templates`` section: a course's template is versioned (answers
    keep the version they answered) and private to its course, so an import must never rewrite
    it in place by storage slug.
    """

    course: str
    lineage: str
    title: str
    topic: str
    family: str
    difficulty: str
    config: dict[str, Any]
    intro: str = ""
    status: str = "draft"


def parse_course_templates(
    raw: Any, known_courses: set[str], known_topics: set[str], errors: list[str]
) -> list[CourseTemplateData]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append("'course_templates' must be a list")
        return []
    result: list[CourseTemplateData] = []
    seen: set[tuple[str, str]] = set()
    families = family_names()
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("every course template must be a mapping with course, lineage, family")
            continue
        where = line_of(item)
        unknown = set(item) - TEMPLATE_ITEM_KEYS
        if unknown:
            errors.append(f"{where}: unknown course template keys: {', '.join(sorted(unknown))}")
        course, lineage, title = _identity(item, where, known_courses, seen, errors)
        topic = item.get("topic")
        if not isinstance(topic, str) or topic not in known_topics:
            errors.append(f"{where}: 'topic' must name a known topic, got {topic!r}")
            topic = ""
        family = item.get("family")
        if family not in families:
            errors.append(f"{where}: unknown family {family!r} (known: {', '.join(families)})")
            family = ""
        difficulty, config = generation_fields(item, where, family, errors, config_label="config: ")
        intro = item.get("intro") or ""
        if not isinstance(intro, str) or len(intro) > 4000:
            errors.append(f"{where}: 'intro' must be text of at most 4000 characters")
            intro = ""
        status = item.get("status", "draft")
        if status not in ("draft", "published"):
            errors.append(f"{where}: 'status' must be draft or published")
            status = "draft"
        result.append(
            CourseTemplateData(
                course=str(course).strip().upper(),
                lineage=str(lineage),
                title=str(title),
                topic=str(topic),
                family=str(family),
                difficulty=difficulty,
                config=config,
                intro=intro,
                status=str(status),
            )
        )
    return result


def dump_course_templates(templates: list[CourseTemplateData]) -> list[dict[str, Any]]:
    return [
        {
            "course": t.course,
            "lineage": t.lineage,
            "title": t.title,
            "topic": t.topic,
            "family": t.family,
            "difficulty": t.difficulty,
            "config": t.config,
            "intro": t.intro,
            "status": t.status,
        }
        for t in templates
    ]
