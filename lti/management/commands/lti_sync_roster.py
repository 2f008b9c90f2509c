from django.core.management.base import BaseCommand

from lti import services
from lti.models import CourseLink


class Command(BaseCommand):
    help = "Sync LMS rosters (LTI Names and Role Provisioning) into the linked Stride courses."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--course", type=int, help="only this Stride course id")

    def handle(self, *args: object, course: int | None = None, **options: object) -> None:
        links = CourseLink.objects.select_related("context__deployment__registration", "course")
        if course is not None:
            links = links.filter(course_id=course)
        for link in links:
            outcome = services.roster_sync(course_link=link)
            self.stdout.write(
                f"{link.course}: added {outcome.added}, unchanged {outcome.unchanged}, "
                f"skipped {outcome.skipped}, removed {outcome.removed}"
            )
