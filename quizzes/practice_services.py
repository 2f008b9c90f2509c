"""Writes of the adaptive practice session: the next question, an answer's effect, claiming.

The rules live in ``quizzes.practice`` (pure); these functions load rows, apply the rules and save.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from core.exceptions import ApplicationError
from quizzes import practice, selectors
from quizzes.generators import get_generator
from quizzes.generators.base import CheckResult
from quizzes.models import (
    Attempt,
    Learner,
    MisconceptionRecord,
    QuestionTemplate,
    ReviewItem,
    Topic,
    TopicProgress,
    Variant,
)
from quizzes.services import (
    MAX_SEED,
    AttemptOutcome,
    attempt_create,
    attempts_claim_for_user,
    variant_create_random,
    variant_get_or_create,
)

SEEDS_TRIED_FOR_A_REVIEW = 40


@dataclass(frozen=True)
class PracticeOutcome:
    """An answer's verdict, and the topic's adaptive state after it (None: not graded)."""

    attempt: Attempt
    result: CheckResult
    topic_state: practice.TopicState | None = None


@dataclass(frozen=True)
class NextQuestion:
    variant: Variant
    is_review: bool = False
    misconception: str = ""


def _owner_user(user: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]


def learner_get_or_create(
    *, user: AbstractBaseUser | AnonymousUser | None, session_key: str
) -> Learner:
    """The caller's practice state, created on first use; locked for the rest of the transaction."""
    owner = _owner_user(user)
    if owner is None and not session_key:
        raise ApplicationError("Anonymous practice needs a session.")
    lookup = {"user": owner} if owner else {"user__isnull": True, "session_key": session_key}
    learner = Learner.objects.select_for_update().filter(**lookup).first()
    if learner is not None:
        return learner
    try:
        with transaction.atomic():
            return Learner.objects.create(user=owner, session_key="" if owner else session_key)
    except IntegrityError:  # a concurrent first answer created it
        return Learner.objects.select_for_update().get(**lookup)


def _review_variant(item: ReviewItem) -> Variant:
    """A fresh variant of the missed template that, where possible, exercises the misconception."""
    template = item.template
    if item.misconception:
        generator = get_generator(template.family)
        candidates = [secrets.randbelow(MAX_SEED) for _ in range(SEEDS_TRIED_FOR_A_REVIEW)]
        seed = practice.seed_exercising(
            lambda seed: (
                generator.generate(
                    seed=seed, difficulty=item.difficulty, config=template.config
                ).misconceptions
            ),
            item.misconception,
            candidates,
        )
        if seed is not None:
            return variant_get_or_create(template=template, seed=seed, difficulty=item.difficulty)
    return variant_create_random(template=template, difficulty=item.difficulty)


def practice_next(
    *,
    topic: Topic,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str,
    difficulty: str | None = None,
) -> NextQuestion:
    """The next question of a session in ``topic``.

    With ``difficulty`` the student chose a level: a fresh question at that level. Without it the
    session is adaptive: a due review of the topic first, else a fresh question at the topic's
    current level for this student.
    """
    if difficulty is None:
        user_id = user.pk if user is not None and user.is_authenticated else None
        progress = selectors.topic_progress_for_owner(
            user_id=user_id, session_key=session_key, topic=topic
        )
        learner = (
            progress.learner
            if progress
            else selectors.learner_for_owner(user_id=user_id, session_key=session_key)
        )
        if learner is not None:
            due = selectors.reviews_due(learner=learner, topic=topic)
            candidate = practice.next_review(
                [practice.ReviewCandidate(item, _review_state(item), topic.slug) for item in due],
                step=learner.answered_count,
            )
            if candidate is not None:
                item = candidate.key
                return NextQuestion(
                    _review_variant(item), is_review=True, misconception=item.misconception
                )
            difficulty = progress.difficulty if progress else None
    template = selectors.template_for_practice(topic_slug=topic.slug, difficulty=difficulty)
    if template is None:
        raise ApplicationError(f"The topic '{topic.title}' has no published questions yet.")
    level = difficulty or practice.DIFFICULTIES[0]
    return NextQuestion(variant_create_random(template=template, difficulty=level))


def _review_state(item: ReviewItem) -> practice.ReviewState:
    return practice.ReviewState(
        box=item.box,
        due_step=item.due_step,
        is_retired=item.is_retired,
        times_missed=item.times_missed,
    )


def _topic_state(progress: TopicProgress) -> practice.TopicState:
    return practice.TopicState(
        difficulty=progress.difficulty,
        correct_streak=progress.correct_streak,
        miss_streak=progress.miss_streak,
        answered=progress.answered,
        correct=progress.correct,
        mastery=progress.mastery,
    )


def _apply_topic_state(progress: TopicProgress, state: practice.TopicState) -> None:
    progress.difficulty = state.difficulty
    progress.correct_streak = state.correct_streak
    progress.miss_streak = state.miss_streak
    progress.answered = state.answered
    progress.correct = state.correct
    progress.mastery = state.mastery


def _apply_review_state(item: ReviewItem, state: practice.ReviewState) -> None:
    item.box = state.box
    item.due_step = state.due_step
    item.is_retired = state.is_retired
    item.times_missed = state.times_missed


@transaction.atomic
def practice_answer(
    *,
    variant: Variant,
    raw_answer: str,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str,
    time_taken_ms: int | None = None,
) -> PracticeOutcome:
    """Check and record an answer, and move the student's practice state on by it.

    An unreadable answer is not graded, so it changes nothing but the attempt log.
    """
    outcome = attempt_create(
        variant=variant,
        raw_answer=raw_answer,
        user=user,
        session_key=session_key,
        time_taken_ms=time_taken_ms,
    )
    if not outcome.result.is_readable:
        return PracticeOutcome(outcome.attempt, outcome.result)
    learner, progress = _learner_and_progress_locked(
        user=user, session_key=session_key, topic_id=variant.template.topic_id
    )
    state = _record_answer(learner=learner, progress=progress, variant=variant, outcome=outcome)
    return PracticeOutcome(outcome.attempt, outcome.result, state)


def _learner_and_progress_locked(
    *, user: AbstractBaseUser | AnonymousUser | None, session_key: str, topic_id: int
) -> tuple[Learner, TopicProgress]:
    """The caller's practice state and their progress in the topic, locked for the transaction.

    Once a topic has been practised this is one query. It locks the learner and then the
    progress row, the order in which every writer of practice state locks them (a lock on the
    progress row first could deadlock with a merge on log-in); and because both rows are locked,
    a concurrent answer that committed while this one waited is seen in both.
    """
    owner = _owner_user(user)
    lookup = Q(user=owner) if owner else Q(user__isnull=True, session_key=session_key)
    if owner is not None or session_key:
        learner = (
            Learner.objects.select_for_update()
            .annotate(
                progress=FilteredRelation(
                    "topic_progress", condition=Q(topic_progress__topic_id=topic_id)
                )
            )
            .select_related("progress")
            .filter(lookup, progress__isnull=False)
            .first()
        )
        if learner is not None:
            return learner, learner.progress  # type: ignore[attr-defined]
    learner = learner_get_or_create(user=user, session_key=session_key)
    progress, _created = TopicProgress.objects.get_or_create(learner=learner, topic_id=topic_id)
    return learner, progress


def _record_answer(
    *, learner: Learner, progress: TopicProgress, variant: Variant, outcome: AttemptOutcome
) -> practice.TopicState:
    template: QuestionTemplate = variant.template
    generated = variant.generated
    is_correct = outcome.result.is_correct
    shown = outcome.result.misconception or ""
    exercised = set(generated.misconceptions) | ({shown} if shown else set())
    now = timezone.now()

    learner.answered_count += 1
    learner.last_topic_id = template.topic_id
    learner.save(update_fields=["answered_count", "last_topic", "updated_at"])
    step = learner.answered_count

    state = practice.topic_after_answer(
        _topic_state(progress), is_correct=is_correct, difficulty=variant.difficulty
    )
    _apply_topic_state(progress, state)
    progress.save()

    # Reviews of this template: the generic one and those of misconceptions this question tests.
    reviews = {
        item.misconception: item
        for item in ReviewItem.objects.filter(learner=learner, template=template)
        if item.misconception == "" or item.misconception in exercised
    }
    for item in reviews.values():
        before = _review_state(item)
        after = practice.review_after_answer(before, is_correct=is_correct, step=step)
        if after != before:
            _apply_review_state(item, after)
            if not is_correct:
                item.difficulty = variant.difficulty
            item.save()
    if not is_correct and shown not in reviews:
        state_new = practice.review_after_miss(None, step=step)
        ReviewItem.objects.create(
            learner=learner,
            template=template,
            misconception=shown,
            difficulty=variant.difficulty,
            box=state_new.box,
            due_step=state_new.due_step,
            times_missed=state_new.times_missed,
        )

    if not exercised:
        return state
    records = {
        record.misconception: record
        for record in MisconceptionRecord.objects.filter(
            learner=learner, misconception__in=exercised
        )
    }
    for misconception in exercised:
        record = records.get(misconception)
        if record is None:
            if misconception != shown:
                continue
            record = MisconceptionRecord(
                learner=learner, misconception=misconception, first_seen_at=now, last_seen_at=now
            )
        before_state = practice.MisconceptionState(record.times_shown, record.correct_since)
        after_state = practice.misconception_after_answer(
            before_state, was_shown=misconception == shown, is_correct=is_correct
        )
        if after_state == before_state and record.pk:
            continue
        record.times_shown = after_state.times_shown
        record.correct_since = after_state.correct_since
        if misconception == shown:
            record.last_seen_at = now
        record.overcome_at = (record.overcome_at or now) if after_state.is_overcome else None
        record.save()
    return state


@transaction.atomic
def practice_claim_for_user(*, user: AbstractBaseUser, session_key: str) -> int:
    """Give an anonymous session's attempts and practice state to the account it logged in to.

    Returns the number of attempts claimed. State the account already has is merged, not lost.
    """
    claimed = attempts_claim_for_user(user=user, session_key=session_key)
    if not session_key:
        return claimed
    anonymous = (
        Learner.objects.select_for_update()
        .filter(user__isnull=True, session_key=session_key)
        .first()
    )
    if anonymous is None:
        return claimed
    account = Learner.objects.select_for_update().filter(user=user).first()
    if account is None:
        anonymous.user = user
        anonymous.session_key = ""
        anonymous.save(update_fields=["user", "session_key", "updated_at"])
        return claimed
    _merge_learners(account=account, anonymous=anonymous)
    return claimed


def _merge_learners(*, account: Learner, anonymous: Learner) -> None:
    clock = account.answered_count + anonymous.answered_count

    def shifted(due_step: int, owner_clock: int) -> int:
        # Keep each review's distance from "now" on the combined clock.
        return max(0, due_step - owner_clock) + clock

    own_progress = {p.topic_id: p for p in TopicProgress.objects.filter(learner=account)}
    for progress in TopicProgress.objects.filter(learner=anonymous):
        mine = own_progress.get(progress.topic_id)
        if mine is None:
            progress.learner = account
            progress.save(update_fields=["learner"])
            continue
        _apply_topic_state(
            mine, practice.merge_topic_states(_topic_state(mine), _topic_state(progress))
        )
        mine.save()

    own_reviews = {(r.template_id, r.misconception): r for r in account.reviews.all()}
    for review in own_reviews.values():
        review.due_step = shifted(review.due_step, account.answered_count)
        review.save(update_fields=["due_step"])
    for review in ReviewItem.objects.filter(learner=anonymous):
        review.due_step = shifted(review.due_step, anonymous.answered_count)
        mine = own_reviews.get((review.template_id, review.misconception))
        if mine is None:
            review.learner = account
            review.save(update_fields=["learner", "due_step"])
            continue
        _apply_review_state(
            mine, practice.merge_review_states(_review_state(mine), _review_state(review))
        )
        mine.save()

    own_records = {r.misconception: r for r in account.misconceptions.all()}
    for record in MisconceptionRecord.objects.filter(learner=anonymous):
        mine = own_records.get(record.misconception)
        if mine is None:
            record.learner = account
            record.save(update_fields=["learner"])
            continue
        merged = practice.merge_misconception_states(
            practice.MisconceptionState(mine.times_shown, mine.correct_since),
            practice.MisconceptionState(record.times_shown, record.correct_since),
        )
        mine.times_shown, mine.correct_since = merged.times_shown, merged.correct_since
        mine.first_seen_at = min(mine.first_seen_at, record.first_seen_at)
        mine.last_seen_at = max(mine.last_seen_at, record.last_seen_at)
        mine.overcome_at = (mine.overcome_at or record.overcome_at) if merged.is_overcome else None
        mine.save()

    account.answered_count = clock
    account.last_topic_id = anonymous.last_topic_id or account.last_topic_id
    account.save(update_fields=["answered_count", "last_topic", "updated_at"])
    anonymous.delete()
