"""Links between django-lti's records of the platform (contexts, resource links) and Stride's
courses and assignments, plus the nonces already spent on launches."""

from __future__ import annotations

from django.db import models
from lti_tool.models import LtiContext, LtiResourceLink

from courses.models import Assignment, Course


class CourseLink(models.Model):
    """An LMS course (an LTI context) is taught in one Stride course."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="stride")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lti_links")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.context} -> {self.course}"


class AssignmentLink(models.Model):
    """A placement of a Stride assignment in the LMS; scores go to its line item."""

    resource_link = models.OneToOneField(
        LtiResourceLink, on_delete=models.CASCADE, related_name="stride"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="lti_links")
    lineitem_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.resource_link} -> {self.assignment}"


class SpentNonce(models.Model):
    """pylti1p3 checks that a nonce was issued, not that it is used once: this table does."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_used_once")
        ]

    def __str__(self) -> str:
        return self.nonce
