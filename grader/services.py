"""Writes of the grader: submissions created and routed, graded exactly once, regraded in bulk."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from core.durability import commits_not_awaited
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
ModelT = TypeVar("ModelT", bound=Model)

MAX_CODE_BYTES = 64 * 1024
UNFINISHED = (SubmissionStatus.QUEUED, SubmissionStatus.WAITING_FOR_GPU, SubmissionStatus.RUNNING)
FINISHED = (SubmissionStatus.GRADED, SubmissionStatus.FAILED)

# The per-submission queries, in SQL: the ORM took 0.5-1.3 ms of CPU to build each of them,
# ten times what the database needs to run it (benchmarks/grading_throughput.py).
_UNFINISHED_SQL = f"status IN ({', '.join(repr(str(s)) for s in UNFINISHED)})"
_SAME_CODE_SQL = (
    "question_id = %s AND code_sha256 = %s AND kind = %s AND reference_version = %s AND status = %s"
)
_OWNER_HISTORY_SQL = (
    "SELECT SUM(CASE WHEN created_at >= %s THEN 1 ELSE 0 END),"  # noqa: S608 - names from _meta
    f" SUM(CASE WHEN {_UNFINISHED_SQL} THEN 1 ELSE 0 END),"
    f" MAX(CASE WHEN {_SAME_CODE_SQL} THEN id END)"
    f" FROM {Submission._meta.db_table}"
    " WHERE {owner}"
    f" AND (created_at >= %s OR {_UNFINISHED_SQL} OR ({_SAME_CODE_SQL}))"
)
_INPUT_SHAPES = Submission._meta.get_field("input_shapes")
_SPEC = CodeQuestion._meta.get_field("spec")
_SPEC_SQL = f"SELECT spec FROM {CodeQuestion._meta.db_table} WHERE id = %s"  # noqa: S608
_UNFINISHED_ROW = f"id = %s AND status NOT IN ({', '.join(repr(str(s)) for s in FINISHED)})"
_CLAIM_SQL = (
    f"UPDATE {Submission._meta.db_table} SET status = %s, started_at = %s,"  # noqa: S608 - names from _meta
    f" task_attempts = task_attempts + 1 WHERE {_UNFINISHED_ROW}"
    " RETURNING question_id, kind, code, input_shapes, device"
)
_FINISH_SQL = (
    f"UPDATE {Submission._meta.db_table} SET status = %s, finished_at = %s,"  # noqa: S608 - names from _meta
    f" status_message = %s WHERE {_UNFINISHED_ROW}"
)


@dataclass(frozen=True)
class _OwnerHistory:
    recent: int  # created in the last minute
    unfinished: int
    earlier_id: int | None  # the latest graded identical submission, if any


def _now_for_sql(offset: timedelta = timedelta(0)) -> object:
    """Now (plus ``offset``) as the ORM would store it in a DateTimeField on this backend."""
    return connection.ops.adapt_datetimefield_value(timezone.now() + offset)


def _owner_history(
    *, user_id: int | None, session_key: str, question: CodeQuestion, kind: str, digest: str
) -> _OwnerHistory:
    """What a new submission depends on, in one query: the counts the limits need and an
    earlier identical submission whose grade can be reused. The OR keeps it to rows that count.

    """
    since = _now_for_sql(-timedelta(seconds=60))
    same_code = [question.pk, digest, kind, question.reference_version, SubmissionStatus.GRADED]
    if user_id is not None:
        owner, owner_params = "user_id = %s", [user_id]
    else:
        owner, owner_params = "user_id IS NULL AND session_key = %s", [session_key]
    with connection.cursor() as cursor:
        cursor.execute(
            _OWNER_HISTORY_SQL.format(owner=owner),
            [since, *same_code, *owner_params, since, *same_code],
        )
        recent, unfinished, earlier_id = cursor.fetchone()
    return _OwnerHistory(recent or 0, unfinished or 0, earlier_id)


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
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()

    with transaction.atomic():
        history = _owner_history(
            user_id=owner_user.pk if owner_user else None,
            session_key=session_key,
            question=question,
            kind=kind,
            digest=digest,
        )
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

    One conditional UPDATE (atomic on its own, so no explicit transaction) decides and returns
    what grading reads; a duplicate delivery racing this one may claim too, and the unique result
    in _store keeps one grade.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [SubmissionStatus.RUNNING, _now_for_sql(), submission_id])
        row = cursor.fetchone()
    if row is None:
        return None
    question_id, kind, code, input_shapes, device = row
    with connection.cursor() as cursor:
        cursor.execute(_SPEC_SQL, [question_id])
        spec_row = cursor.fetchone()
    if spec_row is None:  # the question was deleted meanwhile, and its submissions with it
        return None
    (spec,) = spec_row
    submission = _loaded(
        Submission,
        id=submission_id,
        question_id=question_id,
        kind=kind,
        code=code,
        input_shapes=_INPUT_SHAPES.from_db_value(input_shapes, None, connection),
        device=device,
        status=SubmissionStatus.RUNNING,
    )
    submission.question = _loaded(
        CodeQuestion, id=question_id, spec=_SPEC.from_db_value(spec, None, connection)
    )
    return submission


def _loaded(model: type[ModelT], **values: object) -> ModelT:
    """An instance as the ORM builds one from a row: every field not given stays deferred (read
    from the database if something asks for it), never a silent default."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def submission_grade(*, submission_id: int) -> GradeResult | None:
    """Grade one submission in the sandbox and store its single GradeResult.

    Safe to run twice (a redelivered task after a worker died): a finished submission returns at
    once, and the unique result row means a race can store only one grade.
    """
    # A grade can always be derived again from the submission (committed durably when it was
    # created): if PostgreSQL crashes and takes back these commits, the submission is left
    # queued or running and requeue_stalled_submissions_task grades it again.
    with commits_not_awaited():
        submission = _claim(submission_id)
        if submission is None:
            return None
        report = sandbox_gateway.run_and_grade(
            variant=submission.question.variant,
            code=submission.code,
            input_shapes=[tuple(shape) for shape in submission.input_shapes],
            device=submission.device,
        )
        if report is None:  # the sandbox is unavailable: Stride's failure, not the student's
            return _fail(submission_id, sandbox_gateway.last_unavailable_message())
        return _store(submission, report)


def _finish(submission_id: int, status: str, message: str) -> bool:
    """Move an unfinished submission to ``status``; False if it was already finished.

    The conditional UPDATE takes the row lock: a concurrent finisher waits for it, then sees the
    row finished and updates nothing.
    """
    with connection.cursor() as cursor:
        cursor.execute(_FINISH_SQL, [status, _now_for_sql(), message[:300], submission_id])
        return cursor.rowcount > 0


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
