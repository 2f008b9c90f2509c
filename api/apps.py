from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API and webhooks"

    def ready(self) -> None:
        # Celery signal receivers: a graded submission fans out to webhooks (worker side).
        from api import events, schema  # noqa: F401, PLC0415
