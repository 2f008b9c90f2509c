"""The adaptive session, the catalogue, progress and accounts through real pages and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.models import Attempt, Learner, MisconceptionRecord, ReviewItem, TopicProgress, Variant
from tests.factories import QuestionTemplateFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _next(client, topic_slug: str) -> tuple[Variant, str]:
    response = client.get(reverse("quizzes:practice", args=[topic_slug]))
    assert response.status_code == 302
    location = response["Location"]
    variant_id = int(re.search(r"/questions/(\d+)/", location).group(1))
    return Variant.objects.get(pk=variant_id), location


def _answer(client, variant: Variant, *, correct: bool) -> None:
    content = variant.content
    if correct:
        raw = content["answer"]["display"]
    else:
        value = content["wrong_answers"][0]["value"]
        raw = "(" + ", ".join(map(str, value)) + ")" if isinstance(value, list) else str(value)
    response = client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": raw})
    assert response.status_code == 200


@pytest.fixture
def conv_topic(db):
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size", position=1)
    for difficulty in ("easy", "medium", "hard"):
        QuestionTemplateFactory(
            slug=f"conv-{difficulty}", topic=topic, family="conv_output", difficulty=difficulty
        )
    return topic


def test_a_new_student_starts_easy_and_rises_after_three_right_answers(client, conv_topic):
    for _ in range(3):
        variant, _url = _next(client, "conv-output-size")
        assert variant.difficulty == "easy"
        _answer(client, variant, correct=True)
    variant, _url = _next(client, "conv-output-size")
    assert variant.difficulty == "medium"
    progress = TopicProgress.objects.get()
    assert (progress.answered, progress.correct, progress.difficulty) == (3, 3, "medium")


def test_two_misses_bring_the_level_down(client, conv_topic):
    for _ in range(3):
        variant, _url = _next(client, "conv-output-size")
        _answer(client, variant, correct=True)
    for _ in range(2):
        variant, _url = _next(client, "conv-output-size")
        assert variant.difficulty == "medium" or variant.template.slug.startswith("conv-")
        _answer(client, variant, correct=False)
    assert TopicProgress.objects.get().difficulty == "easy"


def test_a_missed_question_comes_back_three_answers_later_testing_the_same_mistake(
    client, conv_topic
):
    # Given a miss that showed a misconception
    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=False)
    shown = Attempt.objects.get().misconception
    assert shown
    item = ReviewItem.objects.get()
    assert (item.misconception, item.due_step, item.box) == (shown, 4, 0)
    # when three more questions are answered
    for _ in range(3):
        fresh, url = _next(client, "conv-output-size")
        assert "review=1" not in url
        _answer(client, fresh, correct=True)
    # then the next question is the review: same template, new numbers, same mistake tested
    review, url = _next(client, "conv-output-size")
    assert url.endswith("?review=1")
    assert review.template_id == variant.template_id
    assert review.pk != variant.pk
    assert shown in review.content["misconceptions"]
    page = client.get(url).content.decode()
    assert "Review: a question like one you missed" in page
    # and answering it right moves it to the next box
    _answer(client, review, correct=True)
    item.refresh_from_db()
    assert (item.box, item.due_step) == (1, 13)


def test_a_shown_misconception_is_overcome_after_two_right_answers_that_test_it(client, conv_topic):
    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=False)
    record = MisconceptionRecord.objects.get()
    assert (record.times_shown, record.correct_since, record.overcome_at) == (1, 0, None)
    answered = 0
    while answered < 2:
        fresh, _url = _next(client, "conv-output-size")
        if record.misconception not in fresh.content["misconceptions"]:
            continue
        _answer(client, fresh, correct=True)
        answered += 1
    record.refresh_from_db()
    assert record.correct_since == 2
    assert record.overcome_at is not None
    page = client.get(reverse("progress")).content.decode()
    assert "Overcome" in page


def test_the_feedback_names_the_misconception_and_shows_formula_and_diagram(client, conv_topic):
    variant, _url = _next(client, "conv-output-size")
    wrong = variant.content["wrong_answers"][0]
    raw = wrong["value"]
    raw = "(" + ", ".join(map(str, raw)) + ")" if isinstance(raw, list) else str(raw)
    html = client.post(reverse("quizzes:question", args=[variant.pk]), {"answer": raw}).content
    html = html.decode()
    assert 'id="misconception"' in html
    assert "<math" in html
    assert 'id="diagram-panel"' in html
    assert 'role="img"' in html
    assert "So the output is" in html
    assert "Next question" in html


def test_a_question_before_answering_shows_hints_but_neither_key_nor_diagram(client, conv_topic):
    variant, url = _next(client, "conv-output-size")
    html = client.get(url).content.decode()
    assert 'id="hint-button"' in html
    assert "diagram-panel" not in html
    assert "<math" not in html


def test_choosing_a_difficulty_overrides_the_adaptive_level(client, conv_topic):
    response = client.get(
        reverse("quizzes:practice", args=["conv-output-size"]) + "?difficulty=hard"
    )
    assert response["Location"].endswith("?difficulty=hard")
    variant = Variant.objects.get()
    assert variant.difficulty == "hard"
    html = client.get(response["Location"]).content.decode()
    assert 'href="/practice/conv-output-size/?difficulty=hard"' not in html  # not answered yet
    _answer(client, variant, correct=True)


def test_continue_goes_to_the_last_topic_or_to_a_due_review(client, conv_topic):
    assert client.get(reverse("quizzes:continue"))["Location"] == "/practice/conv-output-size/"
    other = TopicFactory(slug="pooling", title="Pooling", position=2)
    QuestionTemplateFactory(slug="pool-easy", topic=other, family="pooling", difficulty="easy")
    variant, _url = _next(client, "pooling")
    _answer(client, variant, correct=True)
    assert client.get(reverse("quizzes:continue"))["Location"] == "/practice/pooling/"


def test_home_shows_mastery_per_topic(client, conv_topic):
    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=True)
    html = client.get(reverse("quizzes:home")).content.decode()
    assert "Continue practising" in html
    assert "Getting started" in html
    assert "1/1 right" in html


def test_the_catalogue_makes_a_constant_number_of_queries(
    client, django_assert_max_num_queries, db
):
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    client.get(reverse("quizzes:home"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("quizzes:home"))
    assert response.content.decode().count('class="card topic"') == 13


def test_progress_and_history_make_a_constant_number_of_queries(
    client, conv_topic, django_assert_num_queries
):
    def load() -> tuple[str, str]:
        return (
            client.get(reverse("progress")).content.decode(),
            client.get(reverse("quizzes:history")).content.decode(),
        )

    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=False)
    load()
    # Progress: the chart's answers, topics, misconceptions, code runs, recent answers; history:
    # its answers. The session comes from the cache and the learner through joins.
    with django_assert_num_queries(6):
        load()
    for _ in range(6):
        variant, _url = _next(client, "conv-output-size")
        _answer(client, variant, correct=True)
    with django_assert_num_queries(6):  # seven answers later: the same queries
        progress, history = load()
    assert progress.count("<tr>") >= 7
    assert history.count("<tr>") == 8


def test_code_list_makes_a_constant_number_of_queries(client, db, django_assert_num_queries):
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    with django_assert_num_queries(1):
        response = client.get(reverse("grader:list"))
    assert response.status_code == 200


def test_log_in_keeps_the_anonymous_history_and_merges_practice_state(client, conv_topic):
    # Given an account that practised, and an anonymous session that practised too
    user = UserFactory(username="lin")
    account = type(client)()
    account.force_login(user)
    variant, _url = _next(account, "conv-output-size")
    _answer(account, variant, correct=True)
    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=False)
    # when the anonymous student logs in
    response = client.post(
        reverse("login"), {"username": "lin", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    # then everything belongs to the account, merged
    assert Attempt.objects.filter(user=user).count() == 2
    learner = Learner.objects.get()
    assert (learner.user, learner.answered_count) == (user, 2)
    progress = TopicProgress.objects.get()
    assert (progress.answered, progress.correct) == (2, 1)
    assert ReviewItem.objects.get().learner == learner
    assert MisconceptionRecord.objects.get().learner == learner


def test_sign_up_with_an_email_and_reset_the_password(client, db, mailoutbox):
    response = client.post(
        reverse("signup"),
        {
            "username": "mae",
            "email": "mae@example.com",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    response = client.post(reverse("password_reset"), {"email": "mae@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body
    for name in ("login", "signup", "password_reset"):
        assert 'class="form-stack"' in client.get(reverse(name)).content.decode()
