"""``manage.py import_bank PATH``: load a question bank; a broken file changes nothing.

Before anything is written, everything the file publishes is validated as the authoring pages
validate it (``core.services.bank_validate``); ``--sandbox`` also runs every published code
question's reference (and a "fix it" starter) in the grading sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.services import bank_import_all, bank_parse_all
from quizzes.bank import MAX_BANK_BYTES, BankError


class Command(BaseCommand):
    help = "Import topics, question templates and code questions from a bank file (YAML/JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--sandbox",
            action="store_true",
            help="also run each published code question's reference in the grading sandbox "
            "(it must score full marks; a 'fix it' starter must fail)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_BANK_BYTES:
            raise CommandError(f"{path}: larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB")
        try:
            data, code_questions = bank_parse_all(path.read_bytes(), use_sandbox=options["sandbox"])
        except BankError as error:
            details = "\n".join(f"  {path}: {problem}" for problem in error.errors)
            raise CommandError(f"{path} was refused; nothing was imported:\n{details}") from error
        counts = bank_import_all(data=data, code_questions=code_questions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path}: {counts['topics_created']} topics created, "
                f"{counts['topics_updated']} updated; {counts['templates_created']} templates "
                f"created, {counts['templates_updated']} updated; "
                f"{counts['code_questions_created']} code questions created, "
                f"{counts['code_questions_updated']} updated; "
                f"{counts['course_templates_created']} course templates created, "
                f"{counts['course_templates_updated']} updated; "
                f"{counts['course_code_questions_created']} course code questions created, "
                f"{counts['course_code_questions_updated']} updated."
            )
        )
