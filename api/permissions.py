"""Who may do what, in one place (course roles come from issue 6's memberships)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from courses.models import Membership, Role


def is_instructor(user: Any) -> bool:
    """Staff, or an instructor of at least one course."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(user=user, role=Role.INSTRUCTOR).exists()


def instructor_ids_for_student(user_id: int | None) -> set[int]:
    """Who may hear about this student's work: staff and the instructors of their courses."""
    ids = set(get_user_model().objects.filter(is_staff=True).values_list("pk", flat=True))
    if user_id is None:
        return ids
    courses = Membership.objects.filter(user_id=user_id, role=Role.STUDENT).values("course_id")
    ids |= set(
        Membership.objects.filter(course_id__in=courses, role=Role.INSTRUCTOR).values_list(
            "user_id", flat=True
        )
    )
    return ids
