"""Code question pages: the list and the editor with Run and Submit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from grader import selectors
from quizzes.rendering import render_markdown


def code_question_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grader/list.html", {"questions": selectors.code_questions_published()})


@ensure_csrf_cookie
def code_question_page(request: HttpRequest, slug: str) -> HttpResponse:
    question = selectors.code_question_get(slug=slug)
    if question is None:
        raise Http404("No such code question.")
    variant = question.variant
    previous = selectors.submissions_for_owner(
        question=question,
        user_id=request.user.pk if request.user.is_authenticated else None,
        session_key=request.session.session_key or "",
        limit=1,
    )
    last = previous[0] if previous else None
    return render(
        request,
        "grader/question.html",
        {
            "question": question,
            "variant": variant,
            "prompt_html": render_markdown(variant.prompt),
            "hints": [render_markdown(hint) for hint in variant.hints],
            "code": last.code if last else variant.starter_code,
        },
    )
