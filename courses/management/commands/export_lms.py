"""``manage.py export_lms --format moodle|qti|gift --course ID --variants N PATH``.

Writes a course's published, current formula templates for an LMS quiz engine, N pre-generated
variants per template (one question category each): Moodle XML, a QTI package Canvas imports,
or GIFT. PATH ``-`` writes Moodle XML or GIFT to stdout. Run by whoever runs the server, so no
course role is checked; the web export (/teach/<id>/export/<format>/) checks it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses import selectors
from courses.exports import gift, moodle_xml, qti
from courses.models import Course

MAX_VARIANTS = 200
RENDERERS = {"moodle": moodle_xml.render, "qti": qti.render, "gift": gift.render}


def find_course(reference: str) -> Course:
    """A course by its id or its join code."""
    course = None
    if reference.isdigit():
        course = Course.objects.filter(pk=int(reference)).first()
    course = course or Course.objects.filter(join_code=reference.strip().upper()).first()
    if course is None:
        raise CommandError(f"No course with id or join code '{reference}'.")
    return course


class Command(BaseCommand):
    help = "Export a course's published templates to Moodle XML, QTI (Canvas) or GIFT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(RENDERERS), dest="fmt")
        parser.add_argument("--course", required=True, help="the course's id or join code")
        parser.add_argument(
            "--variants",
            type=int,
            default=selectors.DEFAULT_EXPORT_VARIANTS,
            help=f"pre-generated variants per template, 1 to {MAX_VARIANTS} (default 10)",
        )
        parser.add_argument("path", type=str, help="file to write ('-': stdout, text formats)")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, variants, path = options["fmt"], options["variants"], options["path"]
        if not 1 <= variants <= MAX_VARIANTS:
            raise CommandError(f"--variants must be from 1 to {MAX_VARIANTS}, not {variants}.")
        if path == "-" and fmt == "qti":
            raise CommandError("A QTI package is a zip file: give a PATH, not '-'.")
        target = None if path == "-" else Path(path)
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        course = find_course(options["course"])
        bundle = selectors.course_export_bundle(course=course, variants_per_template=variants)
        if not bundle.categories:
            raise CommandError(
                f"'{course.title}' has no published formula template to export "
                "(publish one on its course page first)."
            )
        body = RENDERERS[fmt](bundle)
        data = body.encode("utf-8") if isinstance(body, str) else body
        if target is None:
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            target.write_bytes(data)
        count = sum(len(c.questions) for c in bundle.categories)
        self.stderr.write(
            f"Exported {count} questions in {len(bundle.categories)} categories "
            f"from '{course.title}' as {fmt}" + (f" to {target}" if target else "")
        )
        for skipped in bundle.skipped:
            self.stderr.write(f"Skipped {skipped}")
