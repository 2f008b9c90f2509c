"""What a student may see of a submission: their own code's results, never the reference."""

from __future__ import annotations

from typing import Any

from grader.models import Submission


def submission_payload(submission: Submission) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": submission.pk,
        "question": submission.question.slug,
        "kind": submission.kind,
        "status": submission.status,
        "status_message": submission.status_message,
        "device": submission.device,
        "created_at": submission.created_at.isoformat(),
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
        "reused": submission.reused_from_id is not None,
        "result": None,
    }
    result = getattr(submission, "result", None) if submission.is_finished else None
    if result is not None:
        payload["result"] = {
            "score": result.score,
            "is_scored": submission.kind == "submit",
            "passed_cases": result.passed_cases,
            "total_cases": result.total_cases,
            "summary": result.summary,
            "hint": result.hint,
            "misconception": result.misconception,
            "sandbox_status": result.sandbox_status,
            "cases": result.cases,
            "constraints": result.constraints,
            "trace": result.trace,
            "diverging_layer": result.diverging_layer,
            "stdout": result.stdout,
            "wall_time_ms": result.wall_time_ms,
        }
    return payload
