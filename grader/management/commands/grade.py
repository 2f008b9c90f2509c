"""``manage.py grade TEMPLATE --seed S SNIPPET.py [--run-only] --json``: grade without the queue.

Grades a snippet exactly as a submission of that code question would be graded: the same
sandbox, hidden inputs drawn the same way, the same grading code. A stable interface.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grader.questions import UnknownCodeTemplateError, all_templates, get_template
from grader.reference import BrokenReferenceError, draw_hidden_shapes
from grader.sandbox_gateway import last_unavailable_message, run_and_grade
from grader.services import MAX_CODE_BYTES


class Command(BaseCommand):
    help = "Grade a snippet against a code-question template at a seed, as a submission would be."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = "Templates: " + "; ".join(
            f"{template.slug} ({template.title})" for template in all_templates()
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template", help="code-question template slug (listed below)")
        parser.add_argument("snippet", type=Path, help="the student's Python file")
        parser.add_argument("--seed", type=int, required=True, help="the question's seed")
        parser.add_argument(
            "--run-only", action="store_true", help="the visible example only, like 'Run'"
        )
        parser.add_argument(
            "--inputs-seed",
            type=int,
            default=None,
            help="draw the hidden inputs reproducibly (default: a secret draw, like a submission)",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            template = get_template(options["template"])
        except UnknownCodeTemplateError as error:
            raise CommandError(str(error)) from error
        path: Path = options["snippet"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_CODE_BYTES:
            raise CommandError(f"{path}: larger than {MAX_CODE_BYTES // 1024} KiB")
        code = path.read_text(encoding="utf-8", errors="replace")
        variant = template.generate(seed=options["seed"])
        shapes = [tuple(variant.visible_input)]
        if not options["run_only"]:
            source = (
                None if options["inputs_seed"] is None else random.Random(options["inputs_seed"])
            )
            shapes += draw_hidden_shapes(variant, source)
        try:
            report = run_and_grade(variant=variant, code=code, input_shapes=shapes, device="cpu")
        except BrokenReferenceError as error:
            raise CommandError(f"the reference solution is broken: {error}") from error
        if report is None:
            raise CommandError(last_unavailable_message())
        payload = {
            "template": template.slug,
            "seed": options["seed"],
            "kind": "run" if options["run_only"] else "submit",
            **dataclasses.asdict(report),
        }
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=True))
            return
        self.stdout.write(f"{template.title} (seed {options['seed']}): {report.summary}")
        self.stdout.write(f"Score: {report.score:.2f} ({report.passed_cases}/{report.total_cases})")
        for case in report.cases:
            mark = "PASS" if case["is_passed"] else "FAIL"
            self.stdout.write(
                f"  {mark} input {case['input_shape']} expected {case['expected_shape']} "
                f"got {case['actual_shape'] or case['error']}"
            )
        if report.hint:
            self.stdout.write(f"Hint: {report.hint}")
