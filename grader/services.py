"""Writes of the grader: submissions created and routed, graded exactly once, regraded in bulk."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from core.exceptions import ApplicationError, RateLimitedError
from grader import sandbox_gateway, signals, tasks, workers
from grader.bank import CodeQuestionData
from grader.grading import GradeReport
from grader.models import (
    CodeQuestion,
    GradeResult,
    Regrade,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from grader.questions import get_template
from grader.questions.base import CodeVariant, Device
from grader.reference import draw_hidden_shapes
from quizzes.models import Topic

logger = logging.getLogger(__name__)

MAX_CODE_BYTES = 64 * 1024
UNFINISHED = (SubmissionStatus.QUEUED, SubmissionStatus.WAITING_FOR_GPU, SubmissionStatus.RUNNING)
FINISHED = (SubmissionStatus.GRADED, SubmissionStatus.FAILED)
# What grading reads of a submission and its question (not the owner, the hash, the message).
GRADING_FIELDS = ("kind", "code", "input_shapes", "device", "question__spec")


def _owner_filter(user: AbstractBaseUser | None, session_key: str) -> Q:
    if user is not None:
        return Q(user=user)
    return Q(user__isnull=True, session_key=session_key)


@dataclass(frozen=True)
class _OwnerHistory:
    recent: int  # created in the last minute
    unfinished: int
    earlier_id: int | None  # the latest graded identical submission, if any


def _owner_history(owner: Q, same_code: Q) -> _OwnerHistory:
    """What a new submission depends on, in one query: the counts the limits need and an
    earlier identical submission whose grade can be reused. The OR keeps it to rows that count."""
    is_recent = Q(created_at__gte=timezone.now() - timedelta(seconds=60))
    is_unfinished = Q(status__in=UNFINISHED)
    row = (
        Submission.objects.filter(owner)
        .filter(is_recent | is_unfinished | same_code)
        .aggregate(
            recent=Count("pk", filter=is_recent),
            unfinished=Count("pk", filter=is_unfinished),
            earlier_id=Max("pk", filter=same_code),
        )
    )
    return _OwnerHistory(row["recent"], row["unfinished"], row["earlier_id"])


def _check_limits(history: _OwnerHistory) -> None:
    per_minute = settings.GRADER_SUBMISSIONS_PER_MINUTE
    if history.recent >= per_minute:
        raise RateLimitedError(
            f"You have sent {history.recent} runs or submissions in the last minute (the limit "
            f"is {per_minute}). Take a breath, read the last feedback, and try again in a minute."
        )
    if history.unfinished >= settings.GRADER_MAX_UNFINISHED_PER_USER:
        raise RateLimitedError(
            f"You already have {history.unfinished} runs or submissions waiting to be graded. "
            "Wait for them to finish before sending another."
        )


def _route(variant: CodeVariant) -> tuple[str, str, str, str]:
    """(queue, device, status, message) for a new submission of a question of ``variant``."""
    if variant.device is not Device.GPU:
        return "cpu", "cpu", SubmissionStatus.QUEUED, ""
    if workers.queue_has_worker("gpu"):
        return "gpu", "cuda", SubmissionStatus.QUEUED, ""
    if variant.allow_cpu_fallback:
        return (
            "cpu",
            "cpu",
            SubmissionStatus.QUEUED,
            "No GPU worker is online, so this runs on a CPU worker, as the question allows.",
        )
    return (
        "gpu",
        "cuda",
        SubmissionStatus.WAITING_FOR_GPU,
        "Waiting for a GPU worker: none is online right now. It will be graded when one starts.",
    )


def submission_create(
    *,
    question: CodeQuestion,
    code: str,
    kind: str,
    user: AbstractBaseUser | AnonymousUser | None,
    session_key: str = "",
) -> Submission:
    """Record a run or submission and queue it for grading after the transaction commits."""
    if kind not in SubmissionKind.values:
        raise ApplicationError(f"Unknown kind '{kind}': use 'run' or 'submit'.")
    if not isinstance(code, str) or not code.strip():
        raise ApplicationError("Your code is empty.")
    if "\x00" in code:
        raise ApplicationError("Your code contains a NUL byte; remove it and try again.")
    if len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
        raise ApplicationError(f"Your code is longer than {MAX_CODE_BYTES // 1024} KiB.")
    if not question.is_published:
        raise ApplicationError("This question is not open for submissions.")
    owner_user = user if user is not None and user.is_authenticated else None
    if owner_user is None and not session_key:
        raise ApplicationError("An anonymous submission needs a session.")
    owner = _owner_filter(owner_user, session_key)
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()

    same_code = Q(
        question=question,
        code_sha256=digest,
        kind=kind,
        reference_version=question.reference_version,
        status=SubmissionStatus.GRADED,
    )

    with transaction.atomic():
        history = _owner_history(owner, same_code)
        if history.earlier_id is not None:
            earlier = (
                Submission.objects.select_related("result").filter(pk=history.earlier_id).first()
            )
            if earlier is not None and hasattr(earlier, "result"):
                return _reuse(earlier, question, owner_user, session_key)
        _check_limits(history)
        variant = question.variant
        shapes = [list(variant.visible_input)]
        if kind == SubmissionKind.SUBMIT:
            shapes += [list(shape) for shape in draw_hidden_shapes(variant)]
        queue, device, status, message = _route(variant)
        submission = Submission.objects.create(
            question=question,
            user=owner_user,
            session_key="" if owner_user else session_key,
            kind=kind,
            code=code,
            code_sha256=digest,
            status=status,
            input_shapes=shapes,
            reference_version=question.reference_version,
            queue=queue,
            device=device,
            status_message=message,
        )
        submission_id = submission.pk
        transaction.on_commit(lambda: tasks.enqueue_grading(submission_id, queue))
    return submission


def _reuse(
    earlier: Submission,
    question: CodeQuestion,
    user: AbstractBaseUser | None,
    session_key: str,
) -> Submission:
    """Same code, same question, same owner: answer with the earlier grade, run nothing."""
    now = timezone.now()
    submission = Submission.objects.create(
        question=question,
        user=user,
        session_key="" if user else session_key,
        kind=earlier.kind,
        code=earlier.code,
        code_sha256=earlier.code_sha256,
        status=SubmissionStatus.GRADED,
        input_shapes=earlier.input_shapes,
        reference_version=earlier.reference_version,
        queue=earlier.queue,
        device=earlier.device,
        status_message="Identical to an earlier attempt: showing that grade.",
        reused_from=earlier,
        started_at=now,
        finished_at=now,
    )
    result = earlier.result
    result.pk = None
    result.id = None
    result.submission = submission
    result._state.adding = True
    result.save()
    # No worker runs, so Celery's task_success never fires: announce the grade after commit.
    transaction.on_commit(
        lambda: signals.submission_reused.send(sender=Submission, submission_id=submission.pk)
    )
    return submission


def _claim(submission_id: int) -> Submission | None:
    """Mark the submission running, unless it is already finished (idempotency).

    One conditional UPDATE (atomic on its own, so no explicit transaction) decides; a duplicate
    delivery racing this one may claim too, and the unique result in _store keeps one grade.
    """
    claimed = (
        Submission.objects.filter(pk=submission_id)
        .exclude(status__in=FINISHED)
        .update(
            status=SubmissionStatus.RUNNING,
            started_at=timezone.now(),
            task_attempts=F("task_attempts") + 1,
        )
    )
    if not claimed:
        return None
    return (
        Submission.objects.select_related("question")
        .only(*GRADING_FIELDS)
        .filter(pk=submission_id)
        .first()
    )


def submission_grade(*, submission_id: int) -> GradeResult | None:
    """Grade one submission in the sandbox and store its single GradeResult.

    Safe to run twice (a redelivered task after a worker died): a finished submission returns at
    once, and the unique result row means a race can store only one grade.
    """
    submission = _claim(submission_id)
    if submission is None:
        return None
    report = sandbox_gateway.run_and_grade(
        variant=submission.question.variant,
        code=submission.code,
        input_shapes=[tuple(shape) for shape in submission.input_shapes],
        device=submission.device,
    )
    if report is None:  # the sandbox itself is unavailable: Stride's failure, not the student's
        return _fail(submission_id, sandbox_gateway.last_unavailable_message())
    return _store(submission, report)


def _finish(submission_id: int, status: str, message: str) -> bool:
    """Move an unfinished submission to ``status``; False if it was already finished.

    The conditional UPDATE takes the row lock: a concurrent finisher waits for it, then sees the
    row finished and updates nothing.
    """
    finished = (
        Submission.objects.filter(pk=submission_id)
        .exclude(status__in=FINISHED)
        .update(status=status, finished_at=timezone.now(), status_message=message[:300])
    )
    return bool(finished)


def _store(submission: Submission, report: GradeReport) -> GradeResult | None:
    try:
        with transaction.atomic():
            if not _finish(submission.pk, SubmissionStatus.GRADED, ""):
                return None
            return GradeResult.objects.create(
                submission=submission,
                score=report.score,
                passed_cases=report.passed_cases,
                total_cases=report.total_cases,
                sandbox_status=report.sandbox_status,
                summary=report.summary[:300],
                hint=report.hint,
                misconception=report.misconception,
                cases=report.cases,
                constraints=report.constraints,
                trace=report.trace,
                diverging_layer=report.diverging_layer,
                stdout=report.stdout.replace("\x00", "\ufffd"),
                wall_time_ms=report.wall_time_ms,
            )
    except IntegrityError:
        logger.info("submission %s was graded concurrently; keeping the first grade", submission.pk)
        return None


def _fail(submission_id: int, message: str) -> None:
    _finish(submission_id, SubmissionStatus.FAILED, message)


def submission_mark_failed(*, submission_id: int, message: str) -> None:
    """For the task's last retry: the student sees that Stride failed, never a hang."""
    _fail(submission_id, message)


@transaction.atomic
def question_regrade(*, question: CodeQuestion, requested_by: AbstractBaseUser | None) -> Regrade:
    """Regrade every scored submission of ``question`` through the same queue, with progress."""
    question.reference_version += 1
    question.save(update_fields=["reference_version"])
    submissions = list(
        Submission.objects.select_for_update()
        .filter(question=question, kind=SubmissionKind.SUBMIT)
        .exclude(status__in=UNFINISHED)
        .values_list("pk", "queue")
    )
    ids = [pk for pk, _queue in submissions]
    GradeResult.objects.filter(submission_id__in=ids).delete()
    Submission.objects.filter(pk__in=ids).update(
        status=SubmissionStatus.QUEUED,
        reference_version=question.reference_version,
        status_message="Being regraded with the updated reference.",
        started_at=None,
        finished_at=None,
    )
    regrade = Regrade.objects.create(
        question=question, requested_by=requested_by, total=len(ids), submission_ids=ids
    )
    for pk, queue in submissions:
        transaction.on_commit(lambda pk=pk, queue=queue: tasks.enqueue_grading(pk, queue))
    return regrade


@transaction.atomic
def code_questions_import(*, questions: list[CodeQuestionData]) -> dict[str, int]:
    """Create or update code questions from templates at seeds (part of a bank import)."""
    counts = {"code_questions_created": 0, "code_questions_updated": 0}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    for data in questions:
        variant = get_template(data.template).generate(seed=data.seed)
        existing = CodeQuestion.objects.filter(slug=data.slug).first()
        spec = variant.to_dict()
        if existing is not None and existing.spec != spec:
            existing.reference_version += 1
        question = existing or CodeQuestion(slug=data.slug)
        question.title = data.title or variant.title
        question.topic = topics.get(data.topic) if data.topic else None
        question.spec = spec
        question.is_published = data.published
        question.save()
        counts["code_questions_created" if existing is None else "code_questions_updated"] += 1
    return counts


def submissions_requeue_stalled(*, queued_for_s: float, running_for_s: float) -> int:
    """Enqueue again what the broker may have lost (a Redis restart without persistence).

    The database is the source of truth: a submission still queued long after it was created, or
    running long past every time limit, gets a new task. Grading is idempotent, so a duplicate
    task for a submission that was merely slow costs one no-op.
    """
    now = timezone.now()
    stalled = Submission.objects.filter(
        Q(status=SubmissionStatus.QUEUED, created_at__lt=now - timedelta(seconds=queued_for_s))
        | Q(status=SubmissionStatus.RUNNING, started_at__lt=now - timedelta(seconds=running_for_s))
    ).values_list("pk", "queue")
    count = 0
    for pk, queue in stalled:
        if queue == "gpu" and not workers.queue_has_worker("gpu"):
            continue  # waiting for a GPU worker is not stalled
        tasks.enqueue_grading(pk, queue)
        count += 1
    if count:
        logger.warning("re-enqueued %d stalled submission(s)", count)
    return count


@transaction.atomic
def submissions_claim_for_user(*, user: AbstractBaseUser, session_key: str) -> int:
    """An anonymous session's code submissions become the account's (on sign-up or log-in)."""
    if not session_key:
        return 0
    return Submission.objects.filter(user__isnull=True, session_key=session_key).update(
        user=user, session_key=""
    )
