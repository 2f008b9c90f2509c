from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("", views.home, name="home"),
    path("practice/continue/", views.practice_continue, name="continue"),
    path("practice/<slug:topic_slug>/", views.practice_session, name="practice"),
    path("questions/<int:variant_id>/", views.question, name="question"),
    path("history/", views.history, name="history"),
]
