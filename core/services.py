"""Services that span apps: bank files (templates and code questions), claiming a session."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from courses.bank import parse_course_code_questions
from courses.selectors import course_code_questions_for_export
from courses.services import course_code_questions_import
from grader.bank import CodeQuestionData, parse_code_questions
from grader.selectors import code_questions_for_export
from grader.services import code_questions_import, submissions_claim_for_user
from quizzes.bank import BankData, BankError, dump_bank, parse_bank
from quizzes.practice_services import practice_claim_for_user
from quizzes.selectors import bank_for_export
from quizzes.services import bank_import


def bank_parse_all(text: str | bytes) -> tuple[BankData, list[CodeQuestionData]]:
    """Parse every section, collecting every problem before refusing the file.

    The courses' own code questions (``course_code_questions``) are parsed here too and kept on
    ``data.extra_sections`` as parsed rows for ``bank_import_all``.
    """
    data = parse_bank(text)
    errors: list[str] = []
    topics = {t.slug for t in data.topics} | _known_topics()
    code_questions = parse_code_questions(data.extra_sections.get("code_questions"), topics, errors)
    course_questions = parse_course_code_questions(
        data.extra_sections.get("course_code_questions"), _known_courses(), topics, errors
    )
    if errors:
        raise BankError(errors)
    if course_questions:
        data.extra_sections["course_code_questions"] = course_questions
    return data, code_questions


def _known_topics() -> set[str]:
    from quizzes.models import Topic  # noqa: PLC0415 - keep this module importable without apps

    return set(Topic.objects.values_list("slug", flat=True))


def _known_courses() -> set[str]:
    from courses.models import Course  # noqa: PLC0415

    return set(Course.objects.values_list("join_code", flat=True))


@transaction.atomic
def bank_import_all(*, data: BankData, code_questions: list[CodeQuestionData]) -> dict[str, int]:
    course_questions = data.extra_sections.get("course_code_questions") or []
    counts = bank_import(data=data)
    counts.update(code_questions_import(questions=code_questions))
    counts.update(course_code_questions_import(questions=course_questions))
    return counts


def bank_export_all() -> str:
    data = bank_for_export()
    code_questions = code_questions_for_export()
    if code_questions:
        data.extra_sections["code_questions"] = code_questions
    course_questions = course_code_questions_for_export()
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
