"""Every student page makes the same queries however much the student has practised (no N+1).

Counts are exact. Inside a test the database work already runs in a transaction, so an atomic
block in the code is a SAVEPOINT / RELEASE pair here (counted) where production has BEGIN and
COMMIT. The session is read from the session cache, so it costs no query on any page.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.models import Attempt, MisconceptionRecord, ReviewItem, TopicProgress, Variant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)


def _next(client, topic_slug: str, query: str = "") -> tuple[Variant, str]:
    response = client.get(reverse("quizzes:practice", args=[topic_slug]) + query)
    assert response.status_code == 302
    location = response["Location"]
    variant_id = int(re.search(r"/questions/(\d+)/", location).group(1))
    return Variant.objects.get(pk=variant_id), location


def _raw_answer(variant: Variant, *, correct: bool) -> str:
    content = variant.content
    if correct or not content["wrong_answers"]:
        return content["answer"]["display"]
    value = content["wrong_answers"][0]["value"]
    return "(" + ", ".join(map(str, value)) + ")" if isinstance(value, list) else str(value)


def _answer(client, variant: Variant, *, correct: bool):
    response = client.post(
        reverse("quizzes:question", args=[variant.pk]),
        {"answer": _raw_answer(variant, correct=correct)},
    )
    assert response.status_code == 200
    return response


def _practise(client, topic_slug: str, pattern: str) -> None:
    """Answer one question per letter: r right, w wrong (at a chosen level: no reviews served)."""
    for letter in pattern:
        variant, _url = _next(client, topic_slug, "?difficulty=medium")
        _answer(client, variant, correct=letter == "r")


def _more_practice(client) -> None:
    """19 more answers in five topics: attempts, topics, misconceptions and reviews all grow."""
    _practise(client, "conv-output-size", "wrwrrw")
    _practise(client, "pooling", "wwrr")
    _practise(client, "layer-stacks", "rwwr")
    _practise(client, "receptive-field", "rwr")
    _practise(client, "asymmetric", "wr")


def _count(client, method: str, url: str, data: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return [query["sql"] for query in queries.captured_queries]


# Page: (url, queries). Catalogue and "continue": topics, progress rows with their learner, due
# reviews. Progress: the chart's answers, topic rows, misconceptions, code runs, recent answers.
# History: its answers.
READ_PAGES = {
    "home": ("/", 3),
    "continue": ("/practice/continue/", 3),
    "progress": ("/progress/", 5),
    "history": ("/history/", 1),
}


@pytest.mark.parametrize("page", sorted(READ_PAGES))
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "account"])
def test_a_student_page_makes_the_same_queries_after_much_more_practice(
    client, bank, page, signed_in
):
    url, expected = READ_PAGES[page]
    if signed_in:
        client.force_login(UserFactory())
        expected += 1  # the account behind the session (the user row)
    _practise(client, "conv-output-size", "rw")
    client.get(url)
    assert len(_count(client, "get", url)) == expected

    _more_practice(client)

    assert Attempt.objects.count() == 21
    assert TopicProgress.objects.count() == 5
    assert MisconceptionRecord.objects.count() >= 3
    assert ReviewItem.objects.count() >= 3
    assert len(_count(client, "get", url)) == expected


def test_the_pages_list_every_row_after_much_more_practice(client, bank):
    _practise(client, "conv-output-size", "rw")
    for _ in range(3):
        _more_practice(client)
    history = client.get(reverse("quizzes:history")).content.decode()
    progress = client.get(reverse("progress")).content.decode()
    home = client.get(reverse("quizzes:home")).content.decode()
    assert history.count("<tr>") == 1 + 50  # the header and the latest 50 answers
    assert progress.count('<tr><th scope="row">') == 5  # one row per practised topic
    assert "59</strong><span>questions answered" in home


def test_a_question_page_is_one_query_for_its_variant(client, bank):
    variant, url = _next(client, "pooling")
    _more_practice(client)
    assert len(_count(client, "get", url)) == 1
    assert Variant.objects.filter(pk=variant.pk).exists()


def test_a_fresh_question_is_generated_without_a_look_up_first(client, bank):
    # topic, a template of it, the new variant's INSERT (in a savepoint inside the test's
    # transaction; a bare INSERT in production)
    url = reverse("quizzes:practice", args=["pooling"]) + "?difficulty=hard"
    assert len(_count(client, "get", url)) == 5
    _more_practice(client)
    assert len(_count(client, "get", url)) == 5


def test_the_adaptive_session_finds_progress_and_learner_in_one_query(client, bank):
    # topic, progress with its learner, due reviews of the topic, a template, the INSERT
    _practise(client, "parameters", "rr")
    url = reverse("quizzes:practice", args=["parameters"])
    assert len(_count(client, "get", url)) == 7
    _more_practice(client)
    assert len(_count(client, "get", url)) == 7


def _selects(queries: list[str]) -> list[str]:
    return [sql for sql in queries if sql.startswith("SELECT")]


def test_answering_reads_the_same_rows_however_long_the_history(client, bank):
    def answer_right() -> list[str]:
        variant, _url = _next(client, "conv-output-size", "?difficulty=medium")
        url = reverse("quizzes:question", args=[variant.pk])
        return _count(client, "post", url, {"answer": _raw_answer(variant, correct=True)})

    _practise(client, "conv-output-size", "rw")
    before = answer_right()
    _more_practice(client)
    after = answer_right()
    # the variant; learner and topic progress locked together; the template's reviews; the
    # misconceptions the question tests
    assert len(_selects(before)) == len(_selects(after)) == 4
    assert "FOR UPDATE" in _selects(after)[1]
    assert 'INNER JOIN "quizzes_topicprogress"' in _selects(after)[1]


def test_a_first_answer_in_a_topic_creates_learner_and_progress(client, bank):
    variant, _url = _next(client, "pooling")
    _answer(client, variant, correct=True)
    progress = TopicProgress.objects.select_related("learner").get()
    assert (progress.answered, progress.correct, progress.learner.answered_count) == (1, 1, 1)
    # a second topic: the learner exists, its progress there does not yet
    variant, _url = _next(client, "conv-output-size")
    _answer(client, variant, correct=False)
    rows = TopicProgress.objects.select_related("learner").order_by("topic__slug")
    assert [(p.topic.slug, p.answered, p.correct) for p in rows] == [
        ("conv-output-size", 1, 0),
        ("pooling", 1, 1),
    ]
    assert rows[0].learner_id == rows[1].learner_id
    assert rows[0].learner.answered_count == 2
