"""django-lti registers LtiRegistration, LtiDeployment and Key in the admin (platform
registration by an administrator); these are Stride's own links."""

from django.contrib import admin

from lti.models import AssignmentLink, CourseLink


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "course", "created_at")
    raw_id_fields = ("context", "course")


@admin.register(AssignmentLink)
class AssignmentLinkAdmin(admin.ModelAdmin):
    list_display = ("resource_link", "assignment", "lineitem_url", "created_at")
    raw_id_fields = ("resource_link", "assignment")
