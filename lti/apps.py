from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (LMS launches, deep linking, grade passback, rosters)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Grade passback for code submissions: the api app calls its listeners (worker side) once
        # a submission is graded, so the grader itself stays unaware of LMSs.
        from api import events  # noqa: PLC0415
        from lti import services  # noqa: PLC0415

        if services.submission_graded_listener not in events.SUBMISSION_GRADED_LISTENERS:
            events.SUBMISSION_GRADED_LISTENERS.append(services.submission_graded_listener)
