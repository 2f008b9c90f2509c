"""``manage.py export_bank [PATH]``: write every topic, template and code question as a bank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.services import bank_export_all


class Command(BaseCommand):
    help = "Export topics, templates and code questions as a YAML bank (stdout without PATH)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        text = bank_export_all()
        if options["path"]:
            options["path"].write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {options['path']}")
        else:
            self.stdout.write(text, ending="")
