"""/api/v1/: the versioned REST API (the grader's endpoints are included here too)."""

from django.urls import include, path

from api import apis, course_apis, instructor_apis, webhook_apis
from grader.urls import api_urlpatterns as grader_api_urls

app_name = "api"

urlpatterns = [
    path("topics/", apis.TopicListApi.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", apis.TopicDetailApi.as_view(), name="topic-detail"),
    path("templates/", apis.TemplateListApi.as_view(), name="template-list"),
    path("templates/<slug:slug>/", apis.TemplateDetailApi.as_view(), name="template-detail"),
    path(
        "templates/<slug:slug>/variants/",
        apis.VariantCreateApi.as_view(),
        name="template-variants",
    ),
    path("variants/<int:variant_id>/", apis.VariantDetailApi.as_view(), name="variant-detail"),
    path(
        "variants/<int:variant_id>/attempts/",
        apis.VariantAttemptsApi.as_view(),
        name="variant-attempts",
    ),
    path("attempts/", apis.AttemptListApi.as_view(), name="attempt-list"),
    path("attempts/<int:attempt_id>/", apis.AttemptDetailApi.as_view(), name="attempt-detail"),
    path("api-keys/", apis.ApiKeyListApi.as_view(), name="api-key-list"),
    path("api-keys/<int:api_key_id>/", apis.ApiKeyRevokeApi.as_view(), name="api-key-detail"),
    path("courses/", course_apis.CourseListApi.as_view(), name="course-list"),
    path("courses/<int:course_id>/", course_apis.CourseDetailApi.as_view(), name="course-detail"),
    path(
        "courses/<int:course_id>/roster/",
        course_apis.CourseRosterApi.as_view(),
        name="course-roster",
    ),
    path(
        "courses/<int:course_id>/assignments/",
        course_apis.CourseAssignmentsApi.as_view(),
        name="course-assignments",
    ),
    path(
        "courses/<int:course_id>/gradebook/",
        course_apis.CourseGradebookApi.as_view(),
        name="course-gradebook",
    ),
    path("enrolments/", course_apis.EnrolmentCreateApi.as_view(), name="enrolment-create"),
    path("webhooks/", webhook_apis.WebhookListApi.as_view(), name="webhook-list"),
    path(
        "webhooks/<int:webhook_id>/", webhook_apis.WebhookDetailApi.as_view(), name="webhook-detail"
    ),
    path(
        "webhooks/<int:webhook_id>/deliveries/",
        webhook_apis.WebhookDeliveriesApi.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "answer-keys/variants/<int:variant_id>/",
        instructor_apis.VariantAnswerKeyApi.as_view(),
        name="answer-key-variant",
    ),
    path(
        "answer-keys/code-questions/<slug:slug>/",
        instructor_apis.CodeAnswerKeyApi.as_view(),
        name="answer-key-code",
    ),
    path("bank/export/", instructor_apis.BankExportApi.as_view(), name="bank-export"),
    path("bank/import/", instructor_apis.BankImportApi.as_view(), name="bank-import"),
]

# The grader's endpoints keep their own namespace (templates reverse 'grader-api:...').
grader_urlpatterns = [path("", include(grader_api_urls))]
