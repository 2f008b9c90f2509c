"""``manage.py generate FAMILY --seed N [--count K] [--difficulty D] --json``: preview variants.

A stable interface for instructors: one JSON object per line, with at least family, seed,
difficulty, params, prompt, answer and choices.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.answers import format_value
from quizzes.generators import family_names, get_generator
from quizzes.generators.base import ConfigError, Difficulty


class Command(BaseCommand):
    help = "Generate question variants of a family and print them."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = "Families: " + ", ".join(family_names())
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("family", help="question family, e.g. conv_output (listed below)")
        parser.add_argument("--seed", type=int, required=True, help="first seed")
        parser.add_argument("--count", type=int, default=1, help="how many consecutive seeds")
        parser.add_argument(
            "--difficulty", choices=[d.value for d in Difficulty], default=Difficulty.MEDIUM.value
        )
        parser.add_argument(
            "--config",
            default="",
            help="parameter ranges as JSON, e.g. '{\"kernel_size\": [1, 3]}'",
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["family"] not in family_names():
            raise CommandError(
                f"Unknown family '{options['family']}'. Known: {', '.join(family_names())}"
            )
        if not 1 <= options["count"] <= 100_000:
            raise CommandError("--count must be between 1 and 100000.")
        try:
            config = json.loads(options["config"]) if options["config"] else None
        except json.JSONDecodeError as error:
            raise CommandError(f"--config is not valid JSON: {error}") from error
        if config is not None and not isinstance(config, dict):
            raise CommandError("--config must be a JSON object of {name: [low, high]}.")
        generator = get_generator(options["family"])
        for seed in range(options["seed"], options["seed"] + options["count"]):
            try:
                variant = generator.generate(
                    seed=seed, difficulty=options["difficulty"], config=config
                )
            except ConfigError as error:
                raise CommandError(f"Invalid --config: {error}") from error
            if options["json"]:
                self.stdout.write(json.dumps(variant.to_dict(), ensure_ascii=False))
            else:
                self.stdout.write(f"--- {variant.family} seed {seed} ({variant.difficulty})")
                self.stdout.write(variant.prompt)
                for choice in variant.choices:
                    self.stdout.write(f"  {choice.label}. {choice.text}")
                self.stdout.write(
                    f"Answer: {variant.answer.display or format_value(variant.answer.value)}\n"
                )
