"""Instructor pages (/teach/) and student assignment pages (/courses/): parse, call, render."""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import services as core_services
from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from courses import charts, selectors, services
from courses.exports import gift, moodle_xml, qti
from courses.forms import (
    AnswerForm,
    AssignmentForm,
    BankUploadForm,
    CodeForm,
    CodeQuestionForm,
    CodeTemplateForm,
    CourseForm,
    JoinForm,
    TemplateForm,
)
from courses.models import QuestionKind, QuestionStatus, Role
from grader import selectors as grader_selectors
from quizzes.bank import BankError
from quizzes.diagrams import diagram_for

PREVIEW_SEEDS = (1, 2, 3, 4)


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """NotFound -> 404, PermissionDenied -> 403, any other refusal -> a message and back."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from error
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(request.META.get("HTTP_REFERER") or request.path)

    return login_required(wrapper)


# --- instructor pages ------------------------------------------------------------------------


@_domain_errors
def teach_home(request: HttpRequest) -> HttpResponse:
    """The instructor's courses and, for users with instructor access, the new-course form."""
    may_create = selectors.can_create_course(user=request.user)
    form = CourseForm(request.POST or None)
    refusal = ""
    if request.method == "POST":
        try:
            selectors.require_course_creator(user=request.user)  # before reading the input
        except PermissionDeniedError as error:
            refusal = error.message  # shown on the page, with a 403
        else:
            if form.is_valid():
                course = services.course_create(user=request.user, title=form.cleaned_data["title"])
                return redirect("teach:course", course_id=course.pk)
    courses = selectors.courses_for_user(user=request.user, role=Role.INSTRUCTOR)
    context = {
        "courses": courses,
        "form": form,
        "may_create_course": may_create,
        "instructor_access_message": selectors.INSTRUCTOR_ACCESS_MESSAGE,
        "refusal": refusal,
    }
    return render(request, "courses/teach_home.html", context, status=403 if refusal else 200)


@_domain_errors
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    return render(
        request,
        "courses/course.html",
        {
            "course": course,
            "questions": selectors.questions_for_course(course=course),
            "assignments": selectors.assignments_for_course(course=course),
            "roster": selectors.roster(course=course),
        },
    )


def _preview(question: Any) -> list[dict[str, Any]]:
    template = question.template
    previews = []
    for seed in PREVIEW_SEEDS:
        try:
            variant = services.preview_variant(template=template, seed=seed)
        except ApplicationError as error:
            previews.append({"seed": seed, "error": error.message})
            continue
        diagram = diagram_for(variant.family, variant.params, prefix=f"p{seed}")
        previews.append({"seed": seed, "variant": variant, "diagram": diagram})
    return previews


@_domain_errors
def template_edit(request: HttpRequest, course_id: int, question: Any = None) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    family = request.POST.get("family") or request.GET.get("family")
    initial: dict[str, Any] = {}
    if question is not None:
        template = question.template
        family = family or template.family
        initial = {
            "title": template.title,
            "topic": template.topic_id,
            "family": template.family,
            "difficulty": template.difficulty,
            "intro": template.intro,
        }
        for name, (low, high) in template.config.items():
            initial[f"{name}__low"], initial[f"{name}__high"] = low, high
    is_save = request.method == "POST" and "save" in request.POST
    form = TemplateForm(request.POST if is_save else None, family=family, initial=initial)
    if is_save and form.is_valid():
        data = services.TemplateInput(
            title=form.cleaned_data["title"],
            topic=form.cleaned_data["topic"],
            family=form.family_name,
            difficulty=form.cleaned_data["difficulty"],
            config=form.config(),
            intro=form.cleaned_data["intro"],
        )
        try:
            authored = services.template_author(
                course=course, user=request.user, data=data, previous=question
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:  # the template's clean(): family and ranges
            form.add_error(None, "; ".join(error.messages))
        else:
            return redirect("teach:question", question_id=authored.pk)
    return render(
        request,
        "courses/template_form.html",
        {"course": course, "form": form, "question": question},
    )


@_domain_errors
def code_question_edit(request: HttpRequest, course_id: int, question: Any = None) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    initial: dict[str, Any] = {}
    if question is not None:
        spec = question.code_question.spec
        initial = {
            **{key: spec[key] for key in ("title", "prompt", "starter_code", "reference_code")},
            "entry": spec["entry"],
            "visible_input": ", ".join(str(v) for v in spec["visible_input"]),
            "hidden_inputs": services.json_text(spec["hidden_inputs"]),
            "constraints": services.json_text(spec["constraints"]),
            "device": spec["device"],
            "is_fix_it": bool(spec.get("params", {}).get("is_fix_it")),
            "topic": question.code_question.topic_id,
        }
    form = CodeQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        data = services.CodeQuestionInput(
            title=cleaned["title"],
            prompt=cleaned["prompt"],
            starter_code=cleaned["starter_code"],
            reference_code=cleaned["reference_code"],
            entry=cleaned["entry"],
            visible_input=cleaned["visible_input"],
            hidden_inputs=tuple(cleaned["hidden_inputs"]),
            constraints=tuple(cleaned["constraints"]),
            device=cleaned["device"],
            is_fix_it=cleaned["is_fix_it"],
            topic=cleaned["topic"],
        )
        try:
            authored = services.code_question_author(
                course=course, user=request.user, data=data, previous=question
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("teach:question", question_id=authored.pk)
    return render(
        request, "courses/code_form.html", {"course": course, "form": form, "question": question}
    )


@_domain_errors
def code_template_edit(request: HttpRequest, course_id: int, question: Any = None) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    initial: dict[str, Any] = {}
    if question is not None:
        code_question = question.code_question
        initial = {
            "template": code_question.spec["template"],
            "title": code_question.title,
            "topic": code_question.topic_id,
        }
    chosen = request.POST.get("template") or request.GET.get("template") or initial.get("template")
    form = CodeTemplateForm(request.POST or None, initial={**initial, "template": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            authored = services.code_template_author(
                course=course,
                user=request.user,
                template_slug=form.cleaned_data["template"],
                title=form.cleaned_data["title"],
                topic=form.cleaned_data["topic"],
                previous=question,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("teach:question", question_id=authored.pk)
    previews = []
    if chosen in dict(form.fields["template"].choices):
        previews = services.code_template_previews(template_slug=chosen, seeds=PREVIEW_SEEDS)
    return render(
        request,
        "courses/code_template_form.html",
        {"course": course, "form": form, "question": question, "previews": previews},
    )


@_domain_errors
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_for_instructor(user=request.user, question_id=question_id)
    if question.kind == QuestionKind.TEMPLATE:
        return template_edit(request, course_id=question.course_id, question=question)
    if services.is_seeded_code_question(question.code_question):
        return code_template_edit(request, course_id=question.course_id, question=question)
    return code_question_edit(request, course_id=question.course_id, question=question)


@_domain_errors
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_for_instructor(user=request.user, question_id=question_id)
    context: dict[str, Any] = {"question": question, "course": question.course}
    if question.kind == QuestionKind.TEMPLATE:
        context["previews"] = _preview(question)
    else:
        context["spec"] = question.code_question.spec
        if services.is_seeded_code_question(question.code_question):
            context["code_previews"] = services.code_template_previews(
                template_slug=question.code_question.spec["template"], seeds=PREVIEW_SEEDS
            )
    return render(request, "courses/question.html", context)


@require_POST
@_domain_errors
def question_publish(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_for_instructor(user=request.user, question_id=question_id)
    report = services.question_publish(question=question, user=request.user)
    if report.is_valid:
        messages.success(request, f"Published after checking {report.checked} cases.")
    else:
        messages.error(request, "Not published: " + " | ".join(report.errors))
    return redirect("teach:question", question_id=question.pk)


@_domain_errors
def assignment_new(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    questions = list(
        selectors.questions_for_course(course=course).filter(status=QuestionStatus.PUBLISHED)
    )
    form = AssignmentForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        items = [
            services.ItemInput(
                question=question,
                count=form.cleaned_data[f"count_{question.pk}"],
                difficulty=form.cleaned_data[f"difficulty_{question.pk}"] or "medium",
            )
            for question in questions
            if form.cleaned_data.get(f"count_{question.pk}")
        ]
        try:
            services.assignment_create(
                course=course,
                user=request.user,
                title=form.cleaned_data["title"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                items=items,
                attempts_allowed=form.cleaned_data["attempts_allowed"],
                late_policy=form.cleaned_data["late_policy"],
                late_penalty_percent=form.cleaned_data["late_penalty_percent"],
                publish=form.cleaned_data["publish"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("teach:course", course_id=course.pk)
    return render(request, "courses/assignment_form.html", {"course": course, "form": form})


@_domain_errors
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_instructor(user=request.user, assignment_id=assignment_id)
    course = assignment.course
    initial = {
        "title": assignment.title,
        "opens_at": assignment.opens_at,
        "closes_at": assignment.closes_at,
        "attempts_allowed": assignment.attempts_allowed,
        "late_policy": assignment.late_policy,
        "late_penalty_percent": assignment.late_penalty_percent,
        "publish": assignment.is_published,
    }
    form = AssignmentForm(request.POST or None, questions=[], initial=initial)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.assignment_update(
                assignment=assignment,
                user=request.user,
                title=cleaned["title"],
                opens_at=cleaned["opens_at"],
                closes_at=cleaned["closes_at"],
                attempts_allowed=cleaned["attempts_allowed"],
                late_policy=cleaned["late_policy"],
                late_penalty_percent=cleaned["late_penalty_percent"],
                publish=cleaned["publish"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved '{assignment.title}'.")
            return redirect("teach:course", course_id=course.pk)
    return render(
        request,
        "courses/assignment_form.html",
        {"course": course, "form": form, "assignment": assignment},
    )


@_domain_errors
def roster_page(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    if request.method == "POST":
        membership_id = int(request.POST.get("membership") or 0)
        if request.POST.get("action") == "remove":
            removed = services.membership_remove(
                course=course, membership_id=membership_id, acting_user=request.user
            )
            messages.success(request, f"Removed {removed.user.username} from the course.")
        else:
            try:
                changed = services.membership_change_role(
                    course=course,
                    membership_id=membership_id,
                    role=request.POST.get("role", ""),
                    acting_user=request.user,
                )
            except PermissionDeniedError as error:  # the member has no instructor access
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    f"{changed.user.username} is now {changed.get_role_display().lower()}.",
                )
        return redirect("teach:roster", course_id=course.pk)
    return render(
        request,
        "courses/roster.html",
        {"course": course, "roster": selectors.roster(course=course), "roles": Role.choices},
    )


@require_POST
@_domain_errors
def assignment_regrade(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_instructor(user=request.user, assignment_id=assignment_id)
    outcome = services.assignment_regrade(assignment=assignment, user=request.user)
    messages.success(
        request,
        f"Re-checked {outcome.attempts_rechecked} answers ({outcome.attempts_changed} changed); "
        f"{sum(r.total for r in outcome.code_regrades)} code submissions queued for regrading.",
    )
    # The gradebook shows how far these regrades have come until they are done.
    request.session["regrade_ids"] = [regrade.pk for regrade in outcome.code_regrades]
    return redirect("teach:gradebook", course_id=assignment.course_id)


@_domain_errors
def gradebook(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    book = selectors.gradebook(course=course)
    rows = [
        (row, [round(row.scores[a.pk] * 100, 1) for a in book.assignments]) for row in book.rows
    ]
    regrades = grader_selectors.regrades_progress(
        regrade_ids=request.session.get("regrade_ids", [])
    )
    is_regrading = any(item["finished"] < item["total"] for item in regrades)
    return render(
        request,
        "courses/gradebook.html",
        {
            "course": course,
            "book": book,
            "rows": rows,
            "regrades": regrades,
            "is_regrading": is_regrading,
        },
    )


@_domain_errors
def gradebook_csv(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    book = selectors.gradebook(course=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gradebook-{course.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["student", *(a.title for a in book.assignments), "total"])
    for row in book.rows:
        writer.writerow(
            [
                services.csv_safe(row.username),
                *(f"{row.scores[a.pk] * 100:.1f}" for a in book.assignments),
                f"{row.total * 100:.1f}",
            ]
        )
    return response


@_domain_errors
def analytics(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    data = selectors.course_analytics(course=course)
    by_topic = charts.bar_chart(
        [(f"{row.title} ({row.topic})", row.count) for row in data.misconceptions_by_topic],
        title="Misconceptions seen most, by topic",
    )
    over_time = charts.line_chart(
        data.misconceptions_over_time, title="Top misconceptions per week"
    )
    return render(
        request,
        "courses/analytics.html",
        {"course": course, "data": data, "by_topic_svg": by_topic, "over_time_svg": over_time},
    )


@_domain_errors
def export_lms(request: HttpRequest, course_id: int, fmt: str) -> HttpResponse:
    course = selectors.course_for_instructor(user=request.user, course_id=course_id)
    bundle = selectors.course_export_bundle(course=course)
    if fmt == "moodle":
        body, content_type, name = moodle_xml.render(bundle), "application/xml", "moodle.xml"
    elif fmt == "qti":
        body, content_type, name = qti.render(bundle), "application/zip", "qti.zip"
    elif fmt == "gift":
        body, content_type, name = gift.render(bundle), "text/plain; charset=utf-8", "quiz.gift"
    else:
        raise Http404("Unknown export format.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}-{name}"'
    return response


@_domain_errors
def bank_page(request: HttpRequest) -> HttpResponse:
    """Upload a bank file: validated whole (as import_bank does) before anything is written."""
    selectors.require_bank_user(user=request.user)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            data, code_questions = core_services.bank_parse_all(
                form.cleaned_data["bank"], user=request.user
            )
        except BankError as error:
            errors = error.errors
        else:
            counts = core_services.bank_import_all(data=data, code_questions=code_questions)
            summary = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items())
            messages.success(request, f"Imported. {summary}.")
            return redirect("teach:bank")
    return render(request, "courses/bank.html", {"form": form, "errors": errors})


@_domain_errors
def bank_export(request: HttpRequest) -> HttpResponse:
    selectors.require_bank_user(user=request.user)
    response = HttpResponse(
        core_services.bank_export_all(user=request.user), content_type="application/yaml"
    )
    response["Content-Disposition"] = 'attachment; filename="stride-bank.yaml"'
    return response


# --- student pages ---------------------------------------------------------------------------


@_domain_errors
def student_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "courses/student_home.html",
        {
            "assignments": selectors.assignments_for_student(user=request.user),
            "courses": selectors.courses_for_user(user=request.user, role=Role.STUDENT),
            "form": JoinForm(),
        },
    )


@require_POST
@_domain_errors
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST)
    if form.is_valid():
        membership = services.course_join(
            user=request.user, join_code=form.cleaned_data["join_code"]
        )
        messages.success(request, f"You joined {membership.course.title}.")
    return redirect("courses:home")


@_domain_errors
def assignment_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_student(user=request.user, assignment_id=assignment_id)
    slots = services.assignment_for_student(student=request.user, assignment=assignment)
    return render(request, "courses/assignment.html", {"assignment": assignment, "slots": slots})


@require_POST
@_domain_errors
def item_answer(request: HttpRequest, item_id: int, slot: int) -> HttpResponse:
    item = selectors.item_for_student(user=request.user, item_id=item_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        outcome = services.assignment_answer(
            student=request.user,
            item=item,
            slot=slot,
            raw_answer=form.cleaned_data["answer"],
            time_taken_ms=form.cleaned_data["time_taken_ms"],
        )
        level = messages.SUCCESS if outcome.result.is_correct else messages.WARNING
        messages.add_message(request, level, outcome.result.message)
    return redirect("courses:assignment", assignment_id=item.assignment_id)


@require_POST
@_domain_errors
def item_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_for_student(user=request.user, item_id=item_id)
    form = CodeForm(request.POST)
    if form.is_valid():
        services.assignment_submit_code(
            student=request.user,
            item=item,
            code=form.cleaned_data["code"],
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, "Submitted: it is being graded.")
    return redirect("courses:assignment", assignment_id=item.assignment_id)
