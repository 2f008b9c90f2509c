"""Authoring: validation before publishing, versions, the preview page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError
from courses import services
from courses.models import AuthoredQuestion, QuestionStatus
from courses.validation import validate_code_question, validate_template
from grader.questions import get_template
from grader.questions.base import CodeVariant
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def test_valid_ranges_pass_sampling_of_every_difficulty():
    report = validate_template(family="conv_output", config={"kernel_size": [1, 3]}, samples=50)
    assert report.is_valid
    assert report.errors == []
    assert report.checked == 150


def test_same_padding_with_only_even_kernels_is_refused_with_the_reason():
    report = validate_template(
        family="same_padding", config={"kernel_size": [2, 2], "dilation": [1, 1]}, samples=10
    )
    assert not report.is_valid
    assert "no symmetric padding" in report.errors[0]


def test_kernel_larger_than_every_input_is_refused_before_sampling():
    report = validate_template(
        family="conv_output",
        config={"kernel_size": [9, 15], "input_size": [1, 5], "padding": [0, 0]},
    )
    assert not report.is_valid
    assert report.checked == 0
    assert "smaller than every kernel_size" in report.errors[0]


def test_out_of_bounds_range_is_refused_when_authoring(course, instructor):
    topic = TopicFactory(slug="t")
    data = services.TemplateInput(
        title="Bad",
        topic=topic,
        family="conv_output",
        difficulty="easy",
        config={"kernel_size": [1, 99]},
    )
    with pytest.raises(ApplicationError, match="outside the allowed"):
        services.template_author(course=course, user=instructor, data=data)
    assert not AuthoredQuestion.objects.exists()


def test_invalid_template_stays_a_draft_with_the_offending_example(course, instructor):
    topic = TopicFactory(slug="same-padding")
    authored = services.template_author(
        course=course,
        user=instructor,
        data=services.TemplateInput(
            title="Same", topic=topic, family="same_padding", difficulty="easy", config={}
        ),
    )
    # an even-only kernel range sneaks past the form only through a direct edit of the row
    authored.template.config = {"kernel_size": [2, 2], "dilation": [1, 1]}
    authored.template.save()
    report = services.question_publish(question=authored, user=instructor)
    authored.refresh_from_db()
    assert not report.is_valid
    assert authored.status == QuestionStatus.DRAFT
    assert authored.validation["is_valid"] is False


def test_editing_a_published_template_creates_a_new_version(
    course, instructor, published_template, open_assignment, students
):
    # Given a student answered version 1
    item = open_assignment.items.get()
    outcome = services.assignment_answer(student=students[0], item=item, slot=0, raw_answer="1")
    # When the instructor edits the published template
    data = services.TemplateInput(
        title="Output shape",
        topic=published_template.template.topic,
        family="conv_output",
        difficulty="medium",
        config={"kernel_size": [1, 3]},
    )
    version_2 = services.template_author(
        course=course, user=instructor, data=data, previous=published_template
    )
    # Then a new version exists, the old one is kept and the attempt still points at it
    published_template.refresh_from_db()
    assert (version_2.version, version_2.is_current, version_2.status) == (2, True, "draft")
    assert (published_template.version, published_template.is_current) == (1, False)
    assert version_2.template_id != published_template.template_id
    assert outcome.attempt.variant.template_id == published_template.template_id
    assert published_template.template.config == {"kernel_size": [3, 5], "input_size": [16, 32]}


def test_editing_a_draft_changes_it_in_place(course, instructor):
    topic = TopicFactory(slug="t")
    data = services.TemplateInput("A", topic, "conv_output", "easy", {})
    draft = services.template_author(course=course, user=instructor, data=data)
    edited = services.template_author(
        course=course,
        user=instructor,
        data=services.TemplateInput("B", topic, "conv_output", "hard", {}),
        previous=draft,
    )
    assert edited.pk == draft.pk
    assert (edited.version, edited.template.title, edited.template.difficulty) == (1, "B", "hard")


def test_code_reference_that_breaks_is_refused_without_the_sandbox():
    variant = get_template("map-shape").generate(seed=1)
    broken = CodeVariant.from_dict({**variant.to_dict(), "reference_code": "model = 1/0"})
    report = validate_code_question(variant=broken, use_sandbox=False)
    assert not report.is_valid
    assert report.errors[0].startswith("the reference fails")


def test_code_reference_that_breaks_its_own_rule_is_refused():
    variant = get_template("downsample-by-four").generate(seed=1)
    data = variant.to_dict()
    data["constraints"] = [
        {"kind": "max_parameters", "description": "At most 1 parameter.", "value": 1}
    ]
    report = validate_code_question(variant=CodeVariant.from_dict(data), use_sandbox=False)
    assert not report.is_valid
    assert report.errors == ["the reference breaks its own rule 'At most 1 parameter.'"]


@pytest.mark.integration
def test_code_question_reference_runs_in_the_sandbox_and_fix_it_starter_must_fail(
    course, instructor
):
    # Given a code question written on the authoring service from a known-good template
    spec = get_template("map-shape").generate(seed=3).to_dict()
    data = services.CodeQuestionInput(
        title="Map it",
        prompt=spec["prompt"],
        starter_code=spec["reference_code"],
        reference_code=spec["reference_code"],
        entry=spec["entry"],
        visible_input=tuple(spec["visible_input"]),
        hidden_inputs=tuple(spec["hidden_inputs"]),
        constraints=tuple(spec["constraints"]),
        is_fix_it=True,
    )
    authored = services.code_question_author(course=course, user=instructor, data=data)
    # When it is published as a "fix it" question whose starter already works
    report = services.question_publish(question=authored, user=instructor)
    # Then the reference passed in the sandbox but the starter's success refuses it
    assert report.errors == ["the starter code of a 'fix it' question must fail, but it passes"]
    # And with a starter that raises it publishes, and opens for submissions
    fixed = services.code_question_author(
        course=course,
        user=instructor,
        data=services.CodeQuestionInput(**{**data.__dict__, "starter_code": "model = None\n"}),
        previous=authored,
    )
    assert services.question_publish(question=fixed, user=instructor).is_valid
    fixed.refresh_from_db()
    assert fixed.status == "published"
    assert fixed.code_question.is_published is True


def test_preview_shows_four_seeded_variants_with_answers(client, instructor, published_template):
    client.force_login(instructor)
    response = client.get(reverse("teach:question", args=[published_template.pk]))
    html = response.content.decode()
    assert html.count('class="card preview"') == 4
    assert html.count("Answer: <strong>") == 4


def test_template_form_shows_one_bounded_range_per_parameter(client, course, instructor):
    client.force_login(instructor)
    response = client.get(reverse("teach:template-new", args=[course.pk]) + "?family=pooling")
    html = response.content.decode()
    assert 'name="kernel_size__low"' in html
    assert 'max="8"' in html  # pooling kernel_size bounds 1..8


def test_template_form_post_creates_a_draft(client, course, instructor):
    topic = TopicFactory(slug="pooling", title="Pooling")
    client.force_login(instructor)
    response = client.post(
        reverse("teach:template-new", args=[course.pk]),
        {
            "title": "Pool",
            "topic": topic.pk,
            "family": "pooling",
            "difficulty": "easy",
            "intro": "Warm-up",
            "kernel_size__low": "2",
            "kernel_size__high": "3",
            "save": "1",
        },
    )
    authored = AuthoredQuestion.objects.get(course=course)
    assert response.status_code == 302
    assert authored.template.config == {"kernel_size": [2, 3]}
    assert authored.template.is_published is False  # not in the public practice catalogue
