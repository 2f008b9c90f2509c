"""Accounts (sign-up, log-in that keep anonymous practice), the progress page, and health.

The progress page lives here because it shows both apps: formula practice (quizzes) and code
submissions (grader).
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from core.forms import SignupForm
from core.services import session_claim_for_user
from grader import selectors as grader_selectors
from quizzes import selectors as quizzes_selectors
from quizzes.charts import accuracy_chart


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        anonymous_session = request.session.session_key or ""
        user = form.save()
        session_claim_for_user(user=user, session_key=anonymous_session)
        login(request, user)
        return redirect("quizzes:home")
    return render(request, "registration/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's log-in, plus: what the student practised anonymously joins their account."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        anonymous_session = self.request.session.session_key or ""
        session_claim_for_user(user=form.get_user(), session_key=anonymous_session)
        return super().form_valid(form)


def progress(request: HttpRequest) -> HttpResponse:
    user_id = request.user.pk if request.user.is_authenticated else None
    session_key = request.session.session_key or ""
    summary = quizzes_selectors.progress_for_owner(user_id=user_id, session_key=session_key)
    chart = accuracy_chart(
        [(a.created_at, a.is_correct, a.topic_slug) for a in summary.answers],
        summary.topic_titles,
    )
    recent = quizzes_selectors.attempts_for_owner(
        user_id=user_id, session_key=session_key, limit=10
    )
    submissions = grader_selectors.submissions_recent_for_owner(
        user_id=user_id, session_key=session_key, limit=10
    )
    return render(
        request,
        "progress.html",
        {
            "summary": summary,
            "chart": chart,
            "recent": recent,
            "submissions": submissions,
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})
