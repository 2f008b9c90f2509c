from django.urls import path

from courses import views

app_name = "teach"

urlpatterns = [
    path("", views.teach_home, name="home"),
    path("bank/", views.bank_page, name="bank"),
    path("bank/export.yaml", views.bank_export, name="bank-export"),
    path("<int:course_id>/", views.course_detail, name="course"),
    path("<int:course_id>/templates/new/", views.template_edit, name="template-new"),
    path("<int:course_id>/code/new/", views.code_question_edit, name="code-new"),
    path(
        "<int:course_id>/code/from-template/",
        views.code_template_edit,
        name="code-template-new",
    ),
    path("questions/<int:question_id>/", views.question_detail, name="question"),
    path("questions/<int:question_id>/edit/", views.question_edit, name="question-edit"),
    path("questions/<int:question_id>/publish/", views.question_publish, name="question-publish"),
    path("<int:course_id>/assignments/new/", views.assignment_new, name="assignment-new"),
    path("assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment-edit"),
    path("<int:course_id>/roster/", views.roster_page, name="roster"),
    path(
        "assignments/<int:assignment_id>/regrade/",
        views.assignment_regrade,
        name="assignment-regrade",
    ),
    path("<int:course_id>/gradebook/", views.gradebook, name="gradebook"),
    path("<int:course_id>/gradebook.csv", views.gradebook_csv, name="gradebook-csv"),
    path("<int:course_id>/analytics/", views.analytics, name="analytics"),
    path("<int:course_id>/export/<str:fmt>/", views.export_lms, name="export"),
]
