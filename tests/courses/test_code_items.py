"""Course code questions stay private to the course; template-based code items are seeded per
student (issue 6, gaps 1 and 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import NotFoundError, PermissionDeniedError
from courses import services
from courses.models import CourseSubmission, Role, StudentCodeQuestion
from grader import selectors as grader_selectors
from grader.models import CodeQuestion, Submission
from grader.questions import get_template
from tests.factories import CourseFactory, MembershipFactory, UserFactory, written_out_code_question

pytestmark = pytest.mark.django_db


def _written_out(course, instructor):  # noqa: ANN001, ANN202
    authored = services.code_question_author(
        course=course, user=instructor, data=written_out_code_question(seed=3, title="Private map")
    )
    assert services.question_publish(question=authored, user=instructor, use_sandbox=False).is_valid
    return authored


def _seeded(course, instructor):  # noqa: ANN001, ANN202
    authored = services.code_template_author(
        course=course, user=instructor, template_slug="map-shape", title="Your own map"
    )
    assert services.question_publish(question=authored, user=instructor, use_sandbox=False).is_valid
    return authored


def _assignment(course, instructor, *questions):  # noqa: ANN001, ANN202
    now = timezone.now()
    return services.assignment_create(
        course=course,
        user=instructor,
        title="Code week",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        items=[services.ItemInput(question=q) for q in questions],
        publish=True,
    )


@pytest.fixture
def public_question():  # noqa: ANN201
    spec = get_template("map-shape").generate(seed=1).to_dict()
    return CodeQuestion.objects.create(slug="map-shape-1", title="Public", spec=spec)


@pytest.fixture
def outsiders(course):  # noqa: ANN001, ANN201
    other = CourseFactory(title="Other", join_code="ZZZZ2345")
    other_instructor = MembershipFactory(
        course=other, user=UserFactory(username="otherprof"), role=Role.INSTRUCTOR
    ).user
    return {
        "non-member student": MembershipFactory(
            course=other, user=UserFactory(username="stranger")
        ).user,
        "another course's instructor": other_instructor,
    }


# --- gap 1: private to the course --------------------------------------------------------------


def test_course_code_questions_never_reach_the_public_list_or_page(
    client, course, instructor, students, public_question
):
    authored = _written_out(course, instructor)
    seeded = _seeded(course, instructor)
    assignment = _assignment(course, instructor, authored, seeded)
    services.assignment_for_student(student=students[0], assignment=assignment)  # makes a copy
    copy = StudentCodeQuestion.objects.get().code_question
    private = [authored.code_question, seeded.code_question, copy]
    for question in private:
        question.refresh_from_db()
    assert all(q.is_published for q in private)

    assert list(grader_selectors.code_questions_published()) == [public_question]
    for question in private:
        assert grader_selectors.code_question_get(slug=question.slug) is None
    exported = [q["slug"] for q in grader_selectors.code_questions_for_export()]
    assert exported == ["map-shape-1"]

    listing = client.get(reverse("grader:list")).content.decode()
    assert "map-shape-1" in listing
    for user in (None, students[0], instructor):
        if user is not None:
            client.force_login(user)
        for question in private:
            assert client.get(reverse("grader:question", args=[question.slug])).status_code == 404
            assert question.slug not in client.get(reverse("grader:list")).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "non-member student", "another course's instructor"])
def test_wrong_users_cannot_open_or_submit_a_course_code_item(
    client, course, instructor, students, outsiders, who
):
    authored = _written_out(course, instructor)
    assignment = _assignment(course, instructor, authored)
    item = assignment.items.get()
    if who != "anonymous":
        client.force_login(outsiders[who])
    page = client.get(reverse("courses:assignment", args=[assignment.pk]))
    submit = client.post(
        reverse("courses:submit", args=[item.pk]), {"code": "model = None", "kind": "submit"}
    )
    if who == "anonymous":
        assert page.status_code == submit.status_code == 302  # to the log-in page
        assert "/login" in page["Location"] or "accounts" in page["Location"]
    else:
        assert page.status_code == submit.status_code == 404
        with pytest.raises(NotFoundError):
            services.assignment_submit_code(student=outsiders[who], item=item, code="x = 1")
    assert not Submission.objects.exists()


def test_instructor_cannot_submit_as_a_student(course, instructor, students):
    assignment = _assignment(course, instructor, _written_out(course, instructor))
    with pytest.raises(PermissionDeniedError):
        services.assignment_submit_code(
            student=instructor, item=assignment.items.get(), code="x = 1"
        )


def test_the_course_student_opens_and_submits_through_the_assignment(
    client, course, instructor, students
):
    authored = _written_out(course, instructor)
    assignment = _assignment(course, instructor, authored)
    item = assignment.items.get()
    client.force_login(students[0])
    page = client.get(reverse("courses:assignment", args=[assignment.pk])).content.decode()
    assert "Conv2d" in page or "conv" in page.lower()
    assert authored.code_question.spec["reference_code"] not in page
    response = client.post(
        reverse("courses:submit", args=[item.pk]), {"code": "model = None", "kind": "submit"}
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.question == authored.code_question
    assert CourseSubmission.objects.get().submission == submission


# --- gap 2: per-student seeded code items ------------------------------------------------------


def test_each_student_gets_their_own_numbers_deterministically(course, instructor, students):
    seeded = _seeded(course, instructor)
    assignment = _assignment(course, instructor, seeded)
    item = assignment.items.get()
    questions = [services.student_code_question(student_id=s.pk, item=item) for s in students]
    assert len({q.pk for q in questions}) == 3
    assert len({tuple(q.spec["visible_input"]) + (q.spec["prompt"],) for q in questions}) == 3
    for student, question in zip(students, questions, strict=True):
        seed = services.student_seed(
            assignment=assignment, student_id=student.pk, item_id=item.pk, slot=0
        )
        assert question.spec == get_template("map-shape").generate(seed=seed).to_dict()
        assert question.title == "Your own map"
        # created once: the next view returns the same row
        assert services.student_code_question(student_id=student.pk, item=item) == question
    assert StudentCodeQuestion.objects.count() == 3
    slots = services.assignment_for_student(student=students[1], assignment=assignment)
    assert slots[0].code_question == questions[1]


def test_a_seeded_submission_is_graded_against_the_students_copy(course, instructor, students):
    seeded = _seeded(course, instructor)
    assignment = _assignment(course, instructor, seeded)
    item = assignment.items.get()
    submission = services.assignment_submit_code(
        student=students[2], item=item, code="model = None\n"
    )
    copy = StudentCodeQuestion.objects.get(student=students[2])
    assert submission.question == copy.code_question
    assert copy.code_question != seeded.code_question
    outcome = services.assignment_regrade(assignment=assignment, user=instructor)
    assert {r.question_id for r in outcome.code_regrades} == {
        seeded.code_question_id,
        copy.code_question_id,
    }


def test_a_written_out_code_question_is_the_same_for_everyone(course, instructor, students):
    authored = _written_out(course, instructor)
    item = _assignment(course, instructor, authored).items.get()
    assert {services.student_code_question(student_id=s.pk, item=item) for s in students} == {
        authored.code_question
    }
    assert not StudentCodeQuestion.objects.exists()


def test_unknown_code_template_is_refused(course, instructor):
    from core.exceptions import ApplicationError  # noqa: PLC0415

    with pytest.raises(ApplicationError, match="unknown code-question template"):
        services.code_template_author(course=course, user=instructor, template_slug="nope")


def test_the_gradebook_shows_how_far_a_code_regrade_has_come(client, course, instructor, students):
    # Given a graded code submission on an assignment
    seeded = _seeded(course, instructor)
    assignment = _assignment(course, instructor, seeded)
    submission = services.assignment_submit_code(
        student=students[0], item=assignment.items.get(), code="model = None\n"
    )
    Submission.objects.filter(pk=submission.pk).update(status="graded")
    # when the instructor regrades the assignment from the course page
    client.force_login(instructor)
    response = client.post(reverse("teach:assignment-regrade", args=[assignment.pk]))
    # then the gradebook shows the regrade's progress and refreshes until it is done
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Regrade progress" in page
    assert "0 of 1 code submissions regraded" in page
    assert 'http-equiv="refresh"' in page
    # and once the worker has graded it, the page says so and stops refreshing
    Submission.objects.filter(pk=submission.pk).update(status="graded")
    page = client.get(response["Location"]).content.decode()
    assert "1 of 1 code submissions regraded" in page
    assert 'http-equiv="refresh"' not in page
