from django.urls import path

from grader import apis, views

app_name = "grader"

urlpatterns = [
    path("code/", views.code_question_list, name="list"),
    path("code/<slug:slug>/", views.code_question_page, name="question"),
]

api_urlpatterns = (
    [
        path("code-questions/", apis.CodeQuestionListApi.as_view(), name="question-list"),
        path(
            "code-questions/<slug:slug>/",
            apis.CodeQuestionDetailApi.as_view(),
            name="question-detail",
        ),
        path(
            "code-questions/<slug:slug>/submissions/",
            apis.SubmissionCreateApi.as_view(),
            name="submission-create",
        ),
        path("submissions/", apis.SubmissionListApi.as_view(), name="submission-list"),
        path(
            "submissions/<int:submission_id>/",
            apis.SubmissionDetailApi.as_view(),
            name="submission-detail",
        ),
    ],
    "grader-api",
)
