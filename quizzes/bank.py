"""The question-bank file format (YAML or JSON): parse and validate, with line numbers.

Pure Python (no Django): ``parse_bank`` returns a BankData or raises BankError listing every
problem with the line it is on, so a broken file is refused as a whole before anything is written.

    format: stride-bank/1
    topics:
      - {slug: conv-output-size, title: Conv2d output size, description: ..., position: 1}
    templates:
      - slug: conv-output-easy
        title: Output height of one Conv2d
        topic: conv-output-size
        family: conv_output
        difficulty: easy
        config: {kernel_size: [1, 5]}   # optional parameter ranges
        intro: ""                       # optional text above every prompt
        published: true
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from quizzes.generators import family_names, get_generator
from quizzes.generators.base import Difficulty

BANK_FORMAT = "stride-bank/1"
EXTRA_SECTIONS = ("code_questions", "course_code_questions", "course_templates")
MAX_BANK_BYTES = 5 * 1024 * 1024
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


@dataclass(frozen=True)
class TopicData:
    slug: str
    title: str
    description: str = ""
    position: int = 0


@dataclass(frozen=True)
class TemplateData:
    slug: str
    title: str
    topic: str
    family: str
    difficulty: str
    config: dict[str, Any] = field(default_factory=dict)
    intro: str = ""
    published: bool = True


@dataclass(frozen=True)
class BankData:
    topics: list[TopicData]
    templates: list[TemplateData]
    # Sections other apps own (e.g. the grader's code_questions), passed through unparsed.
    extra_sections: dict[str, Any] = field(default_factory=dict)


class BankError(ValueError):
    """The bank was refused; ``errors`` are "line N: what is wrong" sentences."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _LineMap(dict):  # type: ignore[type-arg]
    line = 0


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line each mapping starts on (for error messages)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineMap:
    mapping = _LineMap(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(item: Any) -> str:
    """ "line N" for a mapping loaded by this module, for error messages of other sections."""
    return _line(item)


def _line(item: Any) -> str:
    return f"line {item.line}" if isinstance(item, _LineMap) and item.line else "entry"


def parse_bank(text: str | bytes) -> BankData:
    """Parse a bank file (YAML is a superset of JSON, so both work)."""
    if isinstance(text, bytes):
        if len(text) > MAX_BANK_BYTES:
            raise BankError([f"the file is larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB"])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BankError(
                [f"the file is not UTF-8 text ({error.reason} at byte {error.start})"]
            ) from error
    if len(text) > MAX_BANK_BYTES:
        raise BankError([f"the file is larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB"])
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BankError([f"{where}not valid YAML/JSON ({problem})"]) from error
    if not isinstance(document, Mapping):
        raise BankError(["the file must be a mapping with 'format', 'topics' and 'templates'"])
    errors: list[str] = []
    if document.get("format") != BANK_FORMAT:
        errors.append(f"{_line(document)}: 'format' must be '{BANK_FORMAT}'")
    topics = _parse_topics(document.get("topics", []), errors)
    known_topics = {topic.slug for topic in topics}
    templates = _parse_templates(document.get("templates", []), known_topics, errors)
    unknown_keys = set(document) - {"format", "topics", "templates", *EXTRA_SECTIONS}
    if unknown_keys:
        errors.append(
            f"{_line(document)}: unknown top-level keys: {', '.join(sorted(unknown_keys))}"
        )
    if errors:
        raise BankError(errors)
    extra = {key: document[key] for key in EXTRA_SECTIONS if key in document}
    return BankData(topics=topics, templates=templates, extra_sections=extra)


def _text(
    item: Mapping[str, Any],
    key: str,
    errors: list[str],
    *,
    required: bool = True,
    max_length: int = 160,
) -> str:
    value = item.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append(f"{_line(item)}: '{key}' must be text, got {type(value).__name__}")
        return ""
    if required and not value.strip():
        errors.append(f"{_line(item)}: '{key}' is required")
    if len(value) > max_length:
        errors.append(f"{_line(item)}: '{key}' is longer than {max_length} characters")
    return value


def _slug(item: Mapping[str, Any], errors: list[str], seen: set[str], kind: str) -> str:
    slug = _text(item, "slug", errors, max_length=50)
    if slug and not SLUG_PATTERN.match(slug):
        errors.append(f"{_line(item)}: {kind} slug '{slug}' may only use a-z, 0-9, '-' and '_'")
    if slug in seen:
        errors.append(f"{_line(item)}: {kind} slug '{slug}' appears twice")
    seen.add(slug)
    return slug


def _parse_topics(raw: Any, errors: list[str]) -> list[TopicData]:
    if not isinstance(raw, list):
        errors.append("'topics' must be a list")
        return []
    topics, seen = [], set[str]()
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("every topic must be a mapping with slug and title")
            continue
        unknown = set(item) - {"slug", "title", "description", "position"}
        if unknown:
            errors.append(f"{_line(item)}: unknown topic keys: {', '.join(sorted(unknown))}")
        position = item.get("position", 0)
        if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position < 32768:
            errors.append(f"{_line(item)}: 'position' must be a whole number from 0 to 32767")
            position = 0
        topics.append(
            TopicData(
                slug=_slug(item, errors, seen, "topic"),
                title=_text(item, "title", errors, max_length=120),
                description=_text(item, "description", errors, required=False, max_length=2000),
                position=position,
            )
        )
    return topics


def generation_fields(
    item: Mapping[str, Any], where: str, family: str, errors: list[str], *, config_label: str = ""
) -> tuple[str, dict[str, Any]]:
    """A template row's difficulty and config, the config checked by its family's generator (not
    checked for an unknown family, which is reported already). Problems go to ``errors``; the
    values returned are safe to store even then."""
    difficulty = item.get("difficulty", Difficulty.MEDIUM.value)
    if difficulty not in {d.value for d in Difficulty}:
        errors.append(f"{where}: difficulty must be easy, medium or hard, got {difficulty!r}")
    config = item.get("config") or {}
    if not isinstance(config, Mapping):
        errors.append(f"{where}: 'config' must be a mapping of parameter ranges")
        return str(difficulty), {}
    if family in family_names():
        errors.extend(
            f"{where}: {config_label}{problem}"
            for problem in get_generator(family).validate_config(config)
        )
    return str(difficulty), dict(config)


def _parse_templates(raw: Any, known_topics: set[str], errors: list[str]) -> list[TemplateData]:
    if not isinstance(raw, list):
        errors.append("'templates' must be a list")
        return []
    templates, seen = [], set[str]()
    families = family_names()
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("every template must be a mapping")
            continue
        where = _line(item)
        unknown = set(item) - {
            "slug",
            "title",
            "topic",
            "family",
            "difficulty",
            "config",
            "intro",
            "published",
        }
        if unknown:
            errors.append(f"{where}: unknown template keys: {', '.join(sorted(unknown))}")
        slug = _slug(item, errors, seen, "template")
        topic = _text(item, "topic", errors, max_length=50)
        if topic and topic not in known_topics:
            errors.append(f"{where}: template '{slug}' names unknown topic '{topic}'")
        family = _text(item, "family", errors, max_length=40)
        if family and family not in families:
            errors.append(f"{where}: unknown family '{family}' (known: {', '.join(families)})")
        difficulty, config = generation_fields(item, where, family, errors)
        published = item.get("published", True)
        if not isinstance(published, bool):
            errors.append(f"{where}: 'published' must be true or false")
        templates.append(
            TemplateData(
                slug=slug,
                title=_text(item, "title", errors),
                topic=topic,
                family=family,
                difficulty=difficulty,
                config=config,
                intro=_text(item, "intro", errors, required=False, max_length=4000),
                published=bool(published),
            )
        )
    return templates


def dump_bank(data: BankData) -> str:
    """The bank as YAML, in the same shape ``parse_bank`` reads (round-trips losslessly)."""
    document = {
        "format": BANK_FORMAT,
        "topics": [
            {"slug": t.slug, "title": t.title, "description": t.description, "position": t.position}
            for t in data.topics
        ],
        "templates": [
            {
                "slug": t.slug,
                "title": t.title,
                "topic": t.topic,
                "family": t.family,
                "difficulty": t.difficulty,
                "config": t.config,
                "intro": t.intro,
                "published": t.published,
            }
            for t in data.templates
        ],
        **data.extra_sections,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
