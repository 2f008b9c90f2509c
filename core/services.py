"""Services that span apps: bank files (parse, validate, import, export), claiming a session."""

from __future__ import annotations

from collections.abc import Iterable

import yaml
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from courses.bank import (
    CourseCodeQuestionData,
    CourseTemplateData,
    parse_course_code_questions,
    parse_course_templates,
)
from courses.selectors import (
    bank_course_scope,
    course_code_questions_for_export,
    course_template_slugs,
    course_templates_for_export,
)
from courses.services import course_code_questions_import, course_templates_import
from courses.validation import (
    TEMPLATE_SAMPLE_SEEDS,
    ValidationReport,
    validate_code_question,
    validate_template,
)
from grader.bank import CodeQuestionData, parse_code_questions
from grader.questions import get_template
from grader.questions.base import CodeVariant
from grader.selectors import code_questions_for_export
from grader.services import code_questions_import, submissions_claim_for_user
from quizzes.bank import BankData, BankError, dump_bank, parse_bank
from quizzes.practice_services import practice_claim_for_user
from quizzes.selectors import bank_for_export
from quizzes.services import bank_import


def bank_parse_all(
    text: str | bytes, *, use_sandbox: bool = False, user: AbstractBaseUser | None = None
) -> tuple[BankData, list[CodeQuestionData]]:
    """Parse and validate every section, collecting every problem before refusing the file.

    ``user`` (an API caller) may only name courses they teach in the courses' sections; to them
    another course does not exist, as everywhere else. The command line (None) and staff may
    name any course.

    Whatever the file publishes then goes through the checks the authoring pages run before
    publishing (``bank_validate``), so a file that parses but holds a template that cannot build
    its questions, or a reference solution that fails, is refused here, before anything is
    written. The courses' own sections (``course_code_questions``, ``course_templates``) are
    kept on ``data.extra_sections`` as parsed rows for ``bank_import_all``.
    """
    data = parse_bank(text)
    errors: list[str] = []
    topics = {t.slug for t in data.topics} | _known_topics()
    code_questions = parse_code_questions(data.extra_sections.get("code_questions"), topics, errors)
    courses = _known_courses(bank_course_scope(user=user))
    course_questions = parse_course_code_questions(
        data.extra_sections.get("course_code_questions"), courses, topics, errors
    )
    course_templates = parse_course_templates(
        data.extra_sections.get("course_templates"), courses, topics, errors
    )
    if errors:
        raise BankError(errors)
    bank_validate(
        text=text,
        data=data,
        code_questions=code_questions,
        course_questions=course_questions,
        course_templates=course_templates,
        use_sandbox=use_sandbox,
    )
    for section, rows in (
        ("course_code_questions", course_questions),
        ("course_templates", course_templates),
    ):
        if rows:
            data.extra_sections[section] = rows
    return data, code_questions


def _item_lines(text: str | bytes) -> dict[str, list[str]]:
    """Section -> "line N" of each entry of that top-level list, in file order (YAML reads JSON).

    The parsers return plain dataclasses, so the validation below finds its lines here; it runs
    only on a file that parsed cleanly, where entries and parsed rows correspond one to one.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {
        key.value: [f"line {item.start_mark.line + 1}" for item in value.value]
        for key, value in root.value
        if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode)
    }


def _where(lines: list[str], index: int) -> str:
    return lines[index] if index < len(lines) else "entry"


def _report_errors(where: str, report: ValidationReport) -> list[str]:
    return [f"{where}: {problem}" for problem in report.errors]


def _validate_code(variant: CodeVariant, *, use_sandbox: bool) -> ValidationReport:
    return validate_code_question(
        variant=variant,
        is_fix_it=bool(variant.params.get("is_fix_it")),
        use_sandbox=use_sandbox,
    )


# Seeds sampled per template and difficulty: the authoring page's 200 for any usual bank, fewer
# (never below 20) for a huge file, so one upload cannot keep a web process busy for minutes.
TEMPLATE_SAMPLE_BUDGET = 20_000
MIN_TEMPLATE_SAMPLES = 20


def _template_samples(published_count: int) -> int:
    share = TEMPLATE_SAMPLE_BUDGET // max(1, published_count)
    return max(MIN_TEMPLATE_SAMPLES, min(TEMPLATE_SAMPLE_SEEDS, share))


def bank_validate(
    *,
    text: str | bytes,
    data: BankData,
    code_questions: Iterable[CodeQuestionData],
    course_questions: Iterable[CourseCodeQuestionData],
    course_templates: Iterable[CourseTemplateData] = (),
    use_sandbox: bool = False,
) -> None:
    """The authoring pages' checks before publishing, for everything the file publishes.

    Every published template is generated at many seeds at every difficulty (its ranges must
    build valid questions with possible keys); every published code question's reference runs on
    its visible input and on the corners of its hidden ranges and must keep its own rules; with
    ``use_sandbox`` it must also score full marks in the sandbox and a "fix it" starter must fail
    there. Drafts only get the parsers' checks, as a draft saved on the authoring page does.
    Raises BankError with "line N: <entry>, <field>: problem" sentences; writes nothing.
    """
    errors: list[str] = []
    course_templates = list(course_templates)
    samples = _template_samples(
        sum(t.published for t in data.templates)
        + sum(t.status == "published" for t in course_templates)
    )
    lines_of = _item_lines(text)
    lines = lines_of.get("templates", [])
    owned_by_courses = course_template_slugs()
    for index, template in enumerate(data.templates):
        if template.slug in owned_by_courses:
            # Rewriting a course's versioned template by its storage slug would change the
            # questions students already answered: course templates go in course_templates.
            errors.append(
                f"{_where(lines, index)}: template '{template.slug}' is a version of a course's "
                "own template: put it in 'course_templates' (by course and lineage) instead"
            )
            continue
        if not template.published:
            continue
        report = validate_template(family=template.family, config=template.config, samples=samples)
        where = f"{_where(lines, index)}: template '{template.slug}', config"
        errors.extend(_report_errors(where, report))
    lines = lines_of.get("code_questions", [])
    for index, question in enumerate(code_questions):
        if not question.published:
            continue
        variant = get_template(question.template).generate(seed=question.seed)
        report = _validate_code(variant, use_sandbox=use_sandbox)
        where = (
            f"{_where(lines, index)}: code question '{question.slug}' "
            f"(template {question.template}, seed {question.seed})"
        )
        errors.extend(_report_errors(where, report))
    lines = lines_of.get("course_code_questions", [])
    for index, course_question in enumerate(course_questions):
        if course_question.status != "published":
            continue
        report = _validate_code(course_question.variant(), use_sandbox=use_sandbox)
        field = f"template {course_question.template}" if course_question.template else "spec"
        where = (
            f"{_where(lines, index)}: course code question '{course_question.lineage}' "
            f"of course {course_question.course}, {field}"
        )
        errors.extend(_report_errors(where, report))
    lines = lines_of.get("course_templates", [])
    for index, course_template in enumerate(course_templates):
        if course_template.status != "published":
            continue
        report = validate_template(
            family=course_template.family, config=course_template.config, samples=samples
        )
        where = (
            f"{_where(lines, index)}: course template '{course_template.lineage}' "
            f"of course {course_template.course}, config"
        )
        errors.extend(_report_errors(where, report))
    if errors:
        raise BankError(errors)


def _known_topics() -> set[str]:
    from quizzes.models import Topic  # noqa: PLC0415 - keep this module importable without apps

    return set(Topic.objects.values_list("slug", flat=True))


def _known_courses(course_ids: set[int] | None) -> set[str]:
    from courses.models import Course  # noqa: PLC0415

    courses = (
        Course.objects.all() if course_ids is None else Course.objects.filter(pk__in=course_ids)
    )
    return set(courses.values_list("join_code", flat=True))


@transaction.atomic
def bank_import_all(*, data: BankData, code_questions: list[CodeQuestionData]) -> dict[str, int]:
    course_questions = data.extra_sections.get("course_code_questions") or []
    course_templates = data.extra_sections.get("course_templates") or []
    counts = bank_import(data=data)
    counts.update(code_questions_import(questions=code_questions))
    counts.update(course_templates_import(templates=course_templates))
    counts.update(course_code_questions_import(questions=course_questions))
    return counts


def bank_export_all(*, user: AbstractBaseUser | None = None) -> str:
    """The whole bank as YAML. The courses' sections hold reference solutions and answer keys:
    for ``user`` (an API caller) only the courses they teach; everything for the command line
    (None) and staff."""
    course_ids = bank_course_scope(user=user)
    exported = bank_for_export()
    owned_by_courses = course_template_slugs()
    data = BankData(
        topics=exported.topics,
        templates=[t for t in exported.templates if t.slug not in owned_by_courses],
        extra_sections=dict(exported.extra_sections),
    )
    course_templates = course_templates_for_export(course_ids=course_ids)
    if course_templates:
        data.extra_sections["course_templates"] = course_templates
    code_questions = code_questions_for_export()
    if code_questions:
        data.extra_sections["code_questions"] = code_questions
    course_questions = course_code_questions_for_export(course_ids=course_ids)
    if course_questions:
        data.extra_sections["course_code_questions"] = course_questions
    return dump_bank(data)


@transaction.atomic
def session_claim_for_user(*, user: AbstractBaseUser, session_key: str) -> None:
    """On sign-up or log-in, the anonymous session's practice becomes the account's.

    Formula attempts and the adaptive state (quizzes) and code submissions (grader) alike; done
    here because it spans both apps.
    """
    if not session_key:
        return
    practice_claim_for_user(user=user, session_key=session_key)
    submissions_claim_for_user(user=user, session_key=session_key)
