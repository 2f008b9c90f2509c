"""Reads of the quizzes app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from quizzes import practice
from quizzes.bank import BankData, TemplateData, TopicData
from quizzes.misconceptions import get_misconception
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


def topics_for_catalogue() -> QuerySet[Topic]:
    """Topics with at least one published template, in catalogue order."""
    return (
        Topic.objects.annotate(
            template_count=Count("templates", filter=Q(templates__is_published=True))
        )
        .filter(template_count__gt=0)
        .order_by("position", "title")  # Meta.ordering does not apply to GROUP BY queries
    )


def template_for_practice(*, topic_slug: str, difficulty: str | None) -> QuestionTemplate | None:
    """A published template of the topic, preferring the requested difficulty."""
    templates = QuestionTemplate.objects.filter(topic__slug=topic_slug, is_published=True)
    preferred = (
        templates.filter(difficulty=difficulty).order_by("?").first() if difficulty else None
    )
    return preferred or templates.order_by("?").first()


def variant_get(*, variant_id: int) -> Variant | None:
    return (
        Variant.objects.select_related("template", "template__topic").filter(pk=variant_id).first()
    )


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One answer as the history and progress tables list it."""

    question_url: str
    topic_title: str
    answer: str  # as the checker read it, else as typed
    is_correct: bool
    is_readable: bool
    misconception_title: str  # "" when the answer showed none
    created_at: datetime


def misconception_title(misconception_id: str) -> str:
    """The catalogue's name for a misconception id ("" stays "")."""
    if not misconception_id:
        return ""
    entry = get_misconception(misconception_id)
    return entry.title if entry else misconception_id.replace("_", " ")


def attempts_for_owner(
    *, user_id: int | None, session_key: str, limit: int = 20
) -> list[AttemptRow]:
    """The owner's latest answers, newest first, in one query.

    Plain rows rather than model instances: a list needs eight columns, not four models per row
    with each variant's generated content (JSON, kilobytes each). Links and names are resolved
    here, once per row or per distinct misconception, rather than by tags in a template loop.
    """
    owner = Q(user_id=user_id) if user_id else Q(user__isnull=True, session_key=session_key)
    rows = (
        Attempt.objects.filter(owner)
        .order_by("-created_at")
        .values_list(
            "variant_id",
            "variant__template__topic__title",
            "normalized_answer",
            "raw_answer",
            "is_correct",
            "is_readable",
            "misconception",
            "created_at",
        )[:limit]
    )
    titles: dict[str, str] = {}  # the catalogue look-up, once per distinct misconception
    answers = []
    for variant_id, topic, normalized, raw, is_correct, is_readable, shown, created_at in rows:
        if shown not in titles:
            titles[shown] = misconception_title(shown)
        answers.append(
            AttemptRow(
                question_url=reverse("quizzes:question", args=[variant_id]),
                topic_title=topic,
                answer=normalized or raw,
                is_correct=is_correct,
                is_readable=is_readable,
                misconception_title=titles[shown],
                created_at=created_at,
            )
        )
    return answers


def bank_for_export() -> BankData:
    topics = [
        TopicData(slug=t.slug, title=t.title, description=t.description, position=t.position)
        for t in Topic.objects.order_by("position", "slug")
    ]
    templates = [
        TemplateData(
            slug=t.slug,
            title=t.title,
            topic=t.topic.slug,
            family=t.family,
            difficulty=t.difficulty,
            config=t.config,
            intro=t.intro,
            published=t.is_published,
        )
        for t in QuestionTemplate.objects.select_related("topic").order_by("slug")
    ]
    return BankData(topics=topics, templates=templates)


# ---------------------------------------------------------------------------------------------
# Practice state.


def learner_owner(*, user_id: int | None, session_key: str, prefix: str = "") -> Q | None:
    """The filter that finds an owner's Learner (through ``prefix``, e.g. "learner__"), or None
    when there is no owner to find (an anonymous visitor without a session)."""
    if user_id:
        return Q(**{f"{prefix}user_id": user_id})
    if not session_key:
        return None
    return Q(**{f"{prefix}user__isnull": True, f"{prefix}session_key": session_key})


def learner_for_owner(*, user_id: int | None, session_key: str) -> Learner | None:
    owner = learner_owner(user_id=user_id, session_key=session_key)
    return Learner.objects.filter(owner).first() if owner is not None else None


def topic_get(*, slug: str) -> Topic | None:
    return Topic.objects.filter(slug=slug).first()


def topic_progress_for_owner(
    *, user_id: int | None, session_key: str, topic: Topic
) -> TopicProgress | None:
    """The owner's progress in ``topic``, with its learner: one query for both."""
    of_learner = learner_owner(user_id=user_id, session_key=session_key, prefix="learner__")
    if of_learner is None:
        return None
    return TopicProgress.objects.filter(of_learner, topic=topic).select_related("learner").first()


def reviews_due(*, learner: Learner, topic: Topic | None = None) -> list[ReviewItem]:
    """The learner's reviews due now (in ``topic`` if given), most overdue first."""
    due = ReviewItem.objects.filter(
        learner=learner,
        is_retired=False,
        due_step__lte=learner.answered_count,
        template__is_published=True,
    ).select_related("template", "template__topic")
    if topic is not None:
        due = due.filter(template__topic=topic)
    return list(due.order_by("due_step", "box", "pk"))


def topic_state(progress: TopicProgress) -> practice.TopicState:
    return practice.TopicState(
        difficulty=progress.difficulty,
        correct_streak=progress.correct_streak,
        miss_streak=progress.miss_streak,
        answered=progress.answered,
        correct=progress.correct,
        mastery=progress.mastery,
    )


@dataclass(frozen=True)
class CatalogueEntry:
    topic: Topic
    state: practice.TopicState | None
    level: practice.MasteryLevel
    reviews_due: int
    practice_url: str

    @property
    def next_difficulty(self) -> str:
        return self.state.difficulty if self.state else practice.DIFFICULTIES[0]


@dataclass(frozen=True)
class Catalogue:
    entries: list[CatalogueEntry]
    continue_topic: Topic | None
    continue_reason: str  # "review", "last", "start" or "" when there is nothing to practise
    reviews_due: int
    answered: int


def catalogue_for_owner(*, user_id: int | None, session_key: str) -> Catalogue:
    """Every topic with the owner's mastery, and where "continue practising" should go.

    A constant number of queries, whatever the number of topics.
    """
    topics = list(topics_for_catalogue())
    of_learner = learner_owner(user_id=user_id, session_key=session_key, prefix="learner__")
    progress_rows = (
        list(TopicProgress.objects.filter(of_learner).select_related("learner"))
        if of_learner is not None
        else []
    )
    # The learner comes with its progress rows; only one without any needs its own query.
    learner = (
        progress_rows[0].learner
        if progress_rows
        else learner_for_owner(user_id=user_id, session_key=session_key)
    )
    states = {progress.topic_id: topic_state(progress) for progress in progress_rows}
    due_by_topic: dict[int, int] = {}
    oldest_due_topic: int | None = None
    if learner is not None:
        due = (
            ReviewItem.objects.filter(
                learner=learner,
                is_retired=False,
                due_step__lte=learner.answered_count,
                template__is_published=True,
            )
            .order_by("due_step", "pk")
            .values_list("template__topic_id", flat=True)
        )
        for topic_id in due:
            due_by_topic[topic_id] = due_by_topic.get(topic_id, 0) + 1
            if oldest_due_topic is None:
                oldest_due_topic = topic_id
    entries = [
        CatalogueEntry(
            topic=topic,
            state=states.get(topic.pk),
            level=practice.mastery_level(states.get(topic.pk)),
            reviews_due=due_by_topic.get(topic.pk, 0),
            practice_url=reverse("quizzes:practice", args=[topic.slug]),
        )
        for topic in topics
    ]
    by_id = {entry.topic.pk: entry.topic for entry in entries}
    continue_topic, reason = None, ""
    if oldest_due_topic in by_id:
        continue_topic, reason = by_id[oldest_due_topic], "review"
    elif learner is not None and learner.last_topic_id in by_id:
        continue_topic, reason = by_id[learner.last_topic_id], "last"
    else:
        unmastered = [e for e in entries if e.level.css_class != "mastered"]
        if unmastered:
            continue_topic, reason = unmastered[0].topic, "start"
    return Catalogue(
        entries=entries,
        continue_topic=continue_topic,
        continue_reason=reason,
        reviews_due=sum(due_by_topic.values()),
        answered=learner.answered_count if learner else 0,
    )


@dataclass(frozen=True)
class TopicProgressRow:
    topic: Topic
    state: practice.TopicState
    level: practice.MasteryLevel


@dataclass(frozen=True)
class MisconceptionRow:
    id: str
    title: str
    explanation: str
    times_shown: int
    correct_since: int
    is_overcome: bool
    last_seen_at: datetime
    overcome_at: datetime | None


@dataclass(frozen=True)
class AnswerRecord:
    created_at: datetime
    is_correct: bool
    topic_slug: str


@dataclass(frozen=True)
class Progress:
    answered: int
    correct: int
    topics: list[TopicProgressRow]
    misconceptions: list[MisconceptionRow]
    answers: list[AnswerRecord]  # oldest first, for the chart
    topic_titles: dict[str, str]

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def overcome_count(self) -> int:
        return sum(1 for row in self.misconceptions if row.is_overcome)


CHART_ANSWERS = 200


def progress_for_owner(*, user_id: int | None, session_key: str) -> Progress:
    """Everything the progress page shows about formula questions, in a constant few queries.

    The learner's rows are found through a join on their owner: no query for the learner itself.
    """
    of_learner = learner_owner(user_id=user_id, session_key=session_key, prefix="learner__")
    owner = Q(user_id=user_id) if user_id else Q(user__isnull=True, session_key=session_key or "-")
    recent = list(
        Attempt.objects.filter(owner, is_readable=True)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "is_correct", "variant__template__topic__slug")[:CHART_ANSWERS]
    )
    answers = [AnswerRecord(created, correct, slug) for created, correct, slug in reversed(recent)]
    topics: list[TopicProgressRow] = []
    misconceptions: list[MisconceptionRow] = []
    if of_learner is not None:
        for progress in (
            TopicProgress.objects.filter(of_learner)
            .select_related("topic")
            .order_by("topic__position", "topic__title")
        ):
            state = topic_state(progress)
            topics.append(TopicProgressRow(progress.topic, state, practice.mastery_level(state)))
        for record in MisconceptionRecord.objects.filter(of_learner).order_by(
            "overcome_at", "-last_seen_at"
        ):
            entry = get_misconception(record.misconception)
            state = practice.MisconceptionState(record.times_shown, record.correct_since)
            misconceptions.append(
                MisconceptionRow(
                    id=record.misconception,
                    title=entry.title if entry else record.misconception.replace("_", " "),
                    explanation=entry.explanation if entry else "",
                    times_shown=record.times_shown,
                    correct_since=record.correct_since,
                    is_overcome=state.is_overcome,
                    last_seen_at=record.last_seen_at,
                    overcome_at=record.overcome_at,
                )
            )
        misconceptions.sort(key=lambda row: (row.is_overcome, -row.last_seen_at.timestamp()))
    titles = {row.topic.slug: row.topic.title for row in topics}
    missing = {answer.topic_slug for answer in answers} - titles.keys()
    if missing:
        titles.update(Topic.objects.filter(slug__in=missing).values_list("slug", "title"))
    return Progress(
        answered=sum(row.state.answered for row in topics),
        correct=sum(row.state.correct for row in topics),
        topics=topics,
        misconceptions=misconceptions,
        answers=answers,
        topic_titles=titles,
    )
