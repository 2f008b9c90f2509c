"""The practice loop through real pages and a real PostgreSQL database."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Variant

pytestmark = pytest.mark.django_db


def _visible_text(html: str) -> str:
    """The page as a reader sees it: code highlighting splits tokens into spans."""
    return re.sub(r"<[^>]+>", "", html)


def _first_variant(client, template) -> Variant:
    response = client.get(
        reverse("quizzes:practice", args=[template.topic.slug]) + "?difficulty=medium"
    )
    assert response.status_code == 302
    variant_id = int(re.search(r"/questions/(\d+)/", response["Location"]).group(1))
    return Variant.objects.get(pk=variant_id)


def test_home_lists_topics_with_a_link_per_difficulty(client, conv_template):
    # Given a published template, when the catalogue is opened
    response = client.get(reverse("quizzes:home"))
    # then its topic is listed with easy, medium and hard practice links
    assert response.status_code == 200
    html = response.content.decode()
    assert "Conv2d output size" in html
    for difficulty in ("easy", "medium", "hard"):
        assert f"/practice/conv-output-size/?difficulty={difficulty}" in html


def test_practice_creates_a_fresh_variant_and_shows_its_prompt_without_the_key(
    client, conv_template
):
    variant = _first_variant(client, conv_template)
    response = client.get(reverse("quizzes:question", args=[variant.pk]))
    assert response.status_code == 200
    html = _visible_text(response.content.decode())
    assert "nn.Conv2d(" in html
    assert "Worked solution" not in html
    assert variant.difficulty == "medium"
    assert variant.content["family"] == "conv_output"


def test_a_right_answer_is_marked_correct_and_recorded(client, conv_template):
    variant = _first_variant(client, conv_template)
    key = variant.content["answer"]["display"]
    response = client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": key})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Correct!" in html
    assert "Worked solution" in html
    assert "Final answer" in html
    attempt = Attempt.objects.get()
    assert attempt.is_correct is True
    assert attempt.user is None
    assert attempt.session_key != ""


def test_a_wrong_answer_names_the_misconception(client, conv_template):
    # Given a variant whose key a classic mistake gets wrong
    variant = _first_variant(client, conv_template)
    wrong = variant.content["wrong_answers"][0]
    raw = "(" + ", ".join(str(v) for v in wrong["value"]) + ")"
    # when the student types that wrong shape
    response = client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": raw})
    # then the feedback names the misconception and the attempt records it
    assert response.status_code == 200
    assert "Not quite" in response.content.decode()
    attempt = Attempt.objects.get()
    assert attempt.is_correct is False
    assert attempt.misconception == wrong["misconception"]


@pytest.mark.parametrize("garbage", ["", "   ", "seven", "(1, 2", "1" * 600, "\x00\x01"])
def test_an_unreadable_answer_gets_a_clear_message_not_a_500(client, conv_template, garbage):
    variant = _first_variant(client, conv_template)
    response = client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": garbage})
    assert response.status_code == 422
    html = response.content.decode()
    assert "answer" in html.lower()
    assert "Worked solution" not in html


def test_a_missing_question_is_a_404(client, db):
    assert client.get(reverse("quizzes:question", args=[999999])).status_code == 404


def test_a_topic_without_templates_is_a_404(client, db):
    assert client.get(reverse("quizzes:practice", args=["nothing-here"])).status_code == 404


def test_anonymous_history_is_kept_on_sign_up(client, conv_template):
    # Given an anonymous student who answered one question
    variant = _first_variant(client, conv_template)
    client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": "1"})
    # when they sign up
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    # then the attempt belongs to the new account
    attempt = Attempt.objects.get()
    assert attempt.user.username == "ada"
    assert attempt.session_key == ""
    history = client.get(reverse("quizzes:history")).content.decode()
    assert f'href="/questions/{variant.pk}/"' in history


def test_history_shows_only_the_owners_attempts(client, conv_template):
    variant = _first_variant(client, conv_template)
    client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": "12345"})
    stranger = type(client)()
    own = client.get(reverse("quizzes:history")).content.decode()
    other = stranger.get(reverse("quizzes:history")).content.decode()
    assert "12345" in own
    assert "12345" not in other
