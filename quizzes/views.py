"""Student pages: the catalogue, the adaptive practice session and the question page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from quizzes import practice, practice_services, presenters, selectors
from quizzes.models import Difficulty


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def _owner(request: HttpRequest) -> dict[str, object]:
    return {
        "user_id": request.user.pk if request.user.is_authenticated else None,
        "session_key": request.session.session_key or "",
    }


def _chosen_difficulty(request: HttpRequest) -> str | None:
    difficulty = request.GET.get("difficulty") or None
    return difficulty if difficulty in Difficulty.values else None


def home(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.catalogue_for_owner(**_owner(request))  # type: ignore[arg-type]
    return render(
        request,
        "quizzes/home.html",
        {"catalogue": catalogue, "difficulties": Difficulty.choices},
    )


def practice_continue(request: HttpRequest) -> HttpResponse:
    catalogue = selectors.catalogue_for_owner(**_owner(request))  # type: ignore[arg-type]
    if catalogue.continue_topic is None:
        return redirect("quizzes:home")
    return redirect("quizzes:practice", topic_slug=catalogue.continue_topic.slug)


def practice_session(request: HttpRequest, topic_slug: str) -> HttpResponse:
    """The next question of the session: adaptive, or at the difficulty the student chose."""
    topic = selectors.topic_get(slug=topic_slug)
    if topic is None:
        raise Http404("No such topic.")
    difficulty = _chosen_difficulty(request)
    try:
        upcoming = practice_services.practice_next(
            topic=topic,
            user=request.user,
            session_key=request.session.session_key or "",
            difficulty=difficulty,
        )
    except ApplicationError as error:
        raise Http404(error.message) from error
    query = (
        {"difficulty": difficulty}
        if difficulty
        else ({"review": "1"} if upcoming.is_review else {})
    )
    url = reverse("quizzes:question", args=[upcoming.variant.pk])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = selectors.variant_get(variant_id=variant_id)
    if variant is None:
        raise Http404("This question does not exist.")
    chosen = _chosen_difficulty(request)
    next_url = reverse("quizzes:practice", args=[variant.template.topic.slug])
    context = presenters.question_context(variant)
    context.update(
        {
            "next_url": f"{next_url}?difficulty={chosen}" if chosen else next_url,
            "is_review": request.GET.get("review") == "1",
            "is_adaptive": chosen is None,
        }
    )
    if request.method == "GET":
        return render(request, "quizzes/question.html", context)

    raw_answer = request.POST.get("answer", "")
    try:
        time_taken_ms = int(request.POST.get("time_taken_ms", ""))
    except ValueError:
        time_taken_ms = None
    try:
        outcome = practice_services.practice_answer(
            variant=variant,
            raw_answer=raw_answer,
            user=request.user,
            session_key=_session_key(request),
            time_taken_ms=time_taken_ms,
        )
    except ApplicationError as error:
        context["error"] = error.message
        return render(request, "quizzes/question.html", context, status=400)
    result = outcome.result
    context["raw_answer"] = raw_answer
    context["result"] = result
    if not result.is_readable:
        # An unreadable answer is not graded: the student gets the message and tries again.
        return render(request, "quizzes/question.html", context, status=422)
    context.update(presenters.feedback_context(variant, result))
    if outcome.topic_state is not None and chosen is None:
        context["session_note"] = practice.session_note(
            outcome.topic_state,
            answered_difficulty=variant.difficulty,
            is_correct=result.is_correct,
        )
        context["mastery"] = practice.mastery_level(outcome.topic_state)
    return render(request, "quizzes/question.html", context)


def history(request: HttpRequest) -> HttpResponse:
    attempts = selectors.attempts_for_owner(**_owner(request), limit=50)  # type: ignore[arg-type]
    return render(request, "quizzes/history.html", {"attempts": attempts})
