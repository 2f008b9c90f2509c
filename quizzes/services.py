"""Writes of the quizzes app: variants generated on demand, attempts checked and recorded."""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction

from core.exceptions import ApplicationError
from quizzes.bank import BankData
from quizzes.generators import get_generator
from quizzes.generators.base import CheckResult, ConfigError
from quizzes.models import Attempt, Difficulty, QuestionTemplate, Topic, Variant

MAX_SEED = 2**62  # fits a signed 64-bit column with room to spare
MAX_TIME_TAKEN_MS = 24 * 3600 * 1000


def _checked_difficulty(template: QuestionTemplate, difficulty: str | None) -> str:
    difficulty = difficulty or template.difficulty
    if difficulty not in Difficulty.values:
        raise ApplicationError(
            f"Unknown difficulty '{difficulty}'. Use one of: {', '.join(Difficulty.values)}."
        )
    return difficulty


def _variant_generate_and_store(
    *, template: QuestionTemplate, seed: int, difficulty: str
) -> Variant:
    """Generate the variant and insert it; if the row appeared meanwhile, return that row.

    Generation is deterministic, so two concurrent requests for the same seed produce the same
    content: the loser of the insert race simply reads the winner's row.
    """
    try:
        generated = get_generator(template.family).generate(
            seed=seed, difficulty=difficulty, config=template.config
        )
    except ConfigError as error:
        raise ApplicationError(
            f"Template '{template.slug}' has invalid parameter ranges: {error}"
        ) from error
    if template.intro:
        generated.prompt = f"{template.intro.strip()}\n\n{generated.prompt}"
    # Inside a transaction the INSERT needs a savepoint, or its failure would abort the caller's
    # transaction. Outside one (a practice page) a failed INSERT leaves nothing behind, and an
    # atomic block would only add BEGIN and COMMIT round trips.
    in_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_transaction else nullcontext():
            return Variant.objects.create(
                template=template, seed=seed, difficulty=difficulty, content=generated.to_dict()
            )
    except IntegrityError:
        return Variant.objects.get(template=template, seed=seed, difficulty=difficulty)


def variant_get_or_create(
    *, template: QuestionTemplate, seed: int, difficulty: str | None = None
) -> Variant:
    """The variant for (template, seed, difficulty), generated and stored on first request."""
    difficulty = _checked_difficulty(template, difficulty)
    if not 0 <= seed < MAX_SEED:
        raise ApplicationError(f"The seed must be a whole number from 0 to {MAX_SEED - 1}.")
    existing = Variant.objects.filter(template=template, seed=seed, difficulty=difficulty).first()
    if existing is not None:
        return existing
    return _variant_generate_and_store(template=template, seed=seed, difficulty=difficulty)


def variant_create_random(*, template: QuestionTemplate, difficulty: str | None = None) -> Variant:
    """A fresh variant with an unpredictable seed, so students cannot share answer keys by seed.

    A random seed out of 2**62 is as good as never stored already, so there is no look-up first:
    the unique constraint catches the odd collision and the stored row is returned.
    """
    return _variant_generate_and_store(
        template=template,
        seed=secrets.randbelow(MAX_SEED),
        difficulty=_checked_difficulty(template, difficulty),
    )


@dataclass(frozen=True)
class AttemptOutcome:
    attempt: Attempt
    result: CheckResult


def attempt_create(
    *,
    variant: Variant,
    raw_answer: str,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str = "",
    time_taken_ms: int | None = None,
) -> AttemptOutcome:
    """Check an answer against the variant's key and record the attempt with its diagnosis."""
    if not isinstance(raw_answer, str):
        raise ApplicationError("The answer must be text.")
    # PostgreSQL text cannot hold NUL; the answer is kept, visibly, rather than refused.
    raw_answer = raw_answer.replace("\x00", "\ufffd")
    owner = user if user is not None and user.is_authenticated else None
    if owner is None and not session_key:
        raise ApplicationError("An anonymous attempt needs a session.")
    if time_taken_ms is not None and not 0 <= time_taken_ms <= MAX_TIME_TAKEN_MS:
        time_taken_ms = None  # a client clock gone wrong is not worth refusing the answer for
    generated = variant.generated
    result = get_generator(generated.family).check(generated, raw_answer)
    attempt = Attempt.objects.create(
        variant=variant,
        user=owner,
        session_key="" if owner else session_key,
        raw_answer=raw_answer[:2000],
        normalized_answer=result.normalized[:200],
        is_correct=result.is_correct,
        is_readable=result.is_readable,
        misconception=result.misconception or "",
        feedback=result.message,
        time_taken_ms=time_taken_ms,
    )
    return AttemptOutcome(attempt=attempt, result=result)


@transaction.atomic
def attempts_claim_for_user(*, user: AbstractBaseUser, session_key: str) -> int:
    """Attach an anonymous session's history to the account it just signed up or logged in to."""
    if not session_key:
        return 0
    return Attempt.objects.filter(user__isnull=True, session_key=session_key).update(
        user=user, session_key=""
    )


@transaction.atomic
def bank_import(*, data: BankData) -> dict[str, int]:
    """Create or update every topic and template of a parsed bank, all or nothing."""
    counts = {
        "topics_created": 0,
        "topics_updated": 0,
        "templates_created": 0,
        "templates_updated": 0,
    }
    topics: dict[str, Topic] = {}
    for topic_data in data.topics:
        topic, created = Topic.objects.update_or_create(
            slug=topic_data.slug,
            defaults={
                "title": topic_data.title,
                "description": topic_data.description,
                "position": topic_data.position,
            },
        )
        topics[topic.slug] = topic
        counts["topics_created" if created else "topics_updated"] += 1
    for template_data in data.templates:
        _template, created = QuestionTemplate.objects.update_or_create(
            slug=template_data.slug,
            defaults={
                "title": template_data.title,
                "topic": topics[template_data.topic],
                "family": template_data.family,
                "difficulty": template_data.difficulty,
                "config": template_data.config,
                "intro": template_data.intro,
                "is_published": template_data.published,
            },
        )
        counts["templates_created" if created else "templates_updated"] += 1
    return counts
