"""``manage.py grant_instructor USERNAME [--revoke]``: give (or take back) instructor access.

Instructor access (the Instructors group, holding ``courses.add_course``) lets an account create
courses and be made a co-instructor. It is granted, never taken by signing up, because an
instructor's reference solutions run as trusted, unsandboxed code in the web process and the
grading worker.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses import selectors, services
from courses.models import Role


class Command(BaseCommand):
    help = (
        "Give USERNAME instructor access (the Instructors group: may create courses), or take it "
        "back with --revoke."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="take the access back instead of granting it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(
                f"No user named '{username}'. The account must exist first (they sign up, or "
                "'python manage.py createsuperuser'); usernames are case-sensitive."
            )
        if not user.is_active:
            self.stderr.write(f"Note: '{username}' is inactive: an inactive account cannot log in.")
        if options["revoke"]:
            self._revoke(user, username)
        else:
            is_new = services.instructor_access_grant(user=user)
            self.stdout.write(
                f"Granted instructor access to '{username}': they can now create courses."
                if is_new
                else f"'{username}' already had instructor access; nothing changed."
            )

    def _revoke(self, user: Any, username: str) -> None:
        was_member = services.instructor_access_revoke(user=user)
        self.stdout.write(
            f"Revoked instructor access from '{username}': they can no longer create courses."
            if was_member
            else f"'{username}' was not in the Instructors group; nothing changed."
        )
        if selectors.can_create_course(user=user):
            reason = (
                "is a superuser (superusers hold every permission)"
                if user.is_superuser
                else "holds the 'courses.add_course' permission directly"
            )
            self.stderr.write(
                f"Warning: '{username}' {reason}, so they can still create courses: change that "
                "in the admin (/admin/)."
            )
        taught = list(
            selectors.courses_for_user(user=user, role=Role.INSTRUCTOR).values_list(
                "title", flat=True
            )
        )
        if taught:
            self.stderr.write(
                f"Warning: '{username}' is still an instructor of {len(taught)} course(s): "
                f"{', '.join(taught)}. Remove them on each course's roster page to end that."
            )
