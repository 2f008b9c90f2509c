from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.student_home, name="home"),
    path("join/", views.join, name="join"),
    path("assignments/<int:assignment_id>/", views.assignment_page, name="assignment"),
    path("items/<int:item_id>/<int:slot>/answer/", views.item_answer, name="answer"),
    path("items/<int:item_id>/submit/", views.item_submit, name="submit"),
]
