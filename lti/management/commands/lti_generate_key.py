from django.core.management.base import BaseCommand
from lti_tool.models import Key


class Command(BaseCommand):
    help = "Generate Stride's RSA key pair for LTI 1.3 (once; --rotate adds a new active key)."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--rotate", action="store_true", help="generate even if one exists")

    def handle(self, *args: object, rotate: bool = False, **options: object) -> None:
        if Key.objects.active().exists() and not rotate:
            key = Key.objects.active().latest()
            self.stdout.write(f"An active key already exists (kid {key.as_jwk()['kid']}).")
            return
        key = Key.objects.generate()
        self.stdout.write(self.style.SUCCESS(f"Generated key kid {key.as_jwk()['kid']}."))
