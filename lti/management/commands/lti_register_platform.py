from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from lti_tool.models import Key, LtiDeployment, LtiRegistration


class Command(BaseCommand):
    help = "Register an LMS (LTI 1.3 platform) and activate a deployment. Safe to run again."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--name", default="", help="display name (default: the issuer)")
        parser.add_argument("--issuer", required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--auth-login-url", required=True, help="the platform's OIDC auth URL")
        parser.add_argument("--auth-token-url", required=True, help="the platform's token URL")
        parser.add_argument("--keyset-url", required=True, help="the platform's JWKS URL")
        parser.add_argument("--deployment-id", action="append", default=[], required=True)
        parser.add_argument("--audience", default="", help="token audience, if not the token URL")

    @transaction.atomic
    def handle(self, *args: object, **options: str) -> None:
        for url in ("auth_login_url", "auth_token_url", "keyset_url"):
            if not str(options[url]).startswith(("https://", "http://")):
                raise CommandError(f"--{url.replace('_', '-')} must be an http(s) URL.")
        if not Key.objects.active().exists():
            Key.objects.generate()
            self.stdout.write("Generated the tool's key pair (none existed).")
        registration, created = LtiRegistration.objects.update_or_create(
            issuer=options["issuer"],
            client_id=options["client_id"],
            defaults={
                "name": options["name"] or options["issuer"],
                "auth_url": options["auth_login_url"],
                "token_url": options["auth_token_url"],
                "keyset_url": options["keyset_url"],
                "audience": options["audience"],
                "is_active": True,
            },
        )
        for deployment_id in options["deployment_id"]:
            LtiDeployment.objects.update_or_create(
                registration=registration,
                deployment_id=deployment_id,
                defaults={"is_active": True},
            )
        verb = "Registered" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {registration.name} (uuid {registration.uuid}); deployments: "
                + ", ".join(options["deployment_id"])
            )
        )
