"""Topics, templates, variants by seed and attempts with feedback, through the API."""

from __future__ import annotations

import pytest

from quizzes.models import Attempt, Variant
from tests.api.conftest import login
from tests.factories import QuestionTemplateFactory, TopicFactory

pytestmark = pytest.mark.django_db

VARIANT_KEYS = {
    "id",
    "template",
    "topic",
    "family",
    "seed",
    "difficulty",
    "prompt",
    "answer_format",
    "choices",
    "hints",
    "attempts_url",
}


def test_topics_and_templates_are_paginated_filtered_and_ordered(api, template):
    # Given two topics, one with an unpublished template only
    hidden = TopicFactory(slug="hidden", title="Hidden", position=0)
    QuestionTemplateFactory(slug="secret-draft", topic=hidden, is_published=False)
    QuestionTemplateFactory(slug="a-pool", topic=template.topic, family="pooling")
    # when the catalogue is listed
    topics = api.get("/api/v1/topics/").json()
    templates = api.get("/api/v1/templates/?ordering=-slug&page_size=1").json()
    pooling = api.get("/api/v1/templates/?family=pooling").json()
    # then only published work shows, in pages, filtered and ordered as asked
    assert topics["count"] == 1
    assert [t["slug"] for t in topics["results"]] == ["conv-output-size"]
    assert templates["count"] == 2
    assert [t["slug"] for t in templates["results"]] == ["conv-output-medium"]
    assert templates["next"].endswith("ordering=-slug&page=2&page_size=1")
    assert [t["slug"] for t in pooling["results"]] == ["a-pool"]


def test_a_variant_for_a_seed_is_generated_once_and_shows_no_key(api, template):
    # When the same seed is asked for twice
    first = api.post("/api/v1/templates/conv-output-medium/variants/", {"seed": 42}, format="json")
    second = api.post("/api/v1/templates/conv-output-medium/variants/", {"seed": 42}, format="json")
    # then it is one stored variant, and the student sees the question without its answer
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert set(first.json()) == VARIANT_KEYS
    assert Variant.objects.count() == 1
    variant = Variant.objects.get()
    assert first.json()["id"] == variant.pk
    assert first.json()["prompt"] == variant.content["prompt"]
    assert first.json()["seed"] == 42
    assert first.json()["attempts_url"] == f"/api/v1/variants/{variant.pk}/attempts/"
    assert api.get(f"/api/v1/variants/{variant.pk}/").json() == first.json()


def test_a_right_answer_is_recorded_correct(api, student, template):
    login(api, student)
    variant_id = api.post(
        "/api/v1/templates/conv-output-medium/variants/", {"seed": 7}, format="json"
    ).json()["id"]
    key = Variant.objects.get(pk=variant_id).content["answer"]["display"]
    # When the key is given as the answer
    response = api.post(
        f"/api/v1/variants/{variant_id}/attempts/",
        {"answer": key, "time_taken_ms": 900},
        format="json",
    )
    # then the attempt is correct and owned by the student
    assert response.status_code == 201
    body = response.json()
    assert (body["is_correct"], body["is_readable"], body["feedback"]) == (True, True, "Correct.")
    assert body["misconception"] is None
    attempt = Attempt.objects.get()
    assert (attempt.user, attempt.time_taken_ms, attempt.is_correct) == (student, 900, True)


def test_a_wrong_answer_names_the_misconception(api, student, template):
    login(api, student)
    variant_id = api.post(
        "/api/v1/templates/conv-output-medium/variants/", {"seed": 7}, format="json"
    ).json()["id"]
    content = Variant.objects.get(pk=variant_id).content
    wrong = content["wrong_answers"][0]
    value = wrong["value"]
    answer = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    body = api.post(
        f"/api/v1/variants/{variant_id}/attempts/", {"answer": answer}, format="json"
    ).json()
    assert body["is_correct"] is False
    assert body["misconception"]["id"] == wrong["misconception"]
    assert body["feedback"].startswith("Not quite: ")


def test_attempts_list_only_the_callers_own(api, student, other_student, template):
    variant_id = api.post(
        "/api/v1/templates/conv-output-medium/variants/", {"seed": 3}, format="json"
    ).json()["id"]
    login(api, other_student)
    api.post(f"/api/v1/variants/{variant_id}/attempts/", {"answer": "1"}, format="json")
    login(api, student)
    mine = api.post(f"/api/v1/variants/{variant_id}/attempts/", {"answer": "2"}, format="json")
    listing = api.get("/api/v1/attempts/?ordering=-created_at").json()
    assert listing["count"] == 1
    assert [a["id"] for a in listing["results"]] == [mine.json()["id"]]
