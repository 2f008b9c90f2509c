"""Services of the quizzes app against the real database."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from core.exceptions import ApplicationError
from quizzes import services
from quizzes.models import Attempt, Variant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_same_template_and_seed_give_the_same_stored_variant(conv_template):
    first = services.variant_get_or_create(template=conv_template, seed=42)
    second = services.variant_get_or_create(template=conv_template, seed=42)
    assert first.pk == second.pk
    assert Variant.objects.count() == 1


def test_the_template_intro_is_shown_above_the_prompt(conv_template):
    conv_template.intro = "Lab 3 warm-up."
    conv_template.save()
    variant = services.variant_get_or_create(template=conv_template, seed=1)
    assert variant.content["prompt"].startswith("Lab 3 warm-up.\n\n")


@pytest.mark.parametrize("seed", [-1, 2**62])
def test_an_out_of_range_seed_is_refused(conv_template, seed):
    with pytest.raises(ApplicationError, match="seed"):
        services.variant_get_or_create(template=conv_template, seed=seed)
    assert Variant.objects.count() == 0


def test_an_unknown_difficulty_is_refused(conv_template):
    with pytest.raises(ApplicationError, match="difficulty"):
        services.variant_get_or_create(template=conv_template, seed=1, difficulty="extreme")


def test_invalid_template_ranges_are_refused_with_the_reason(conv_template):
    conv_template.config = {"kernel_size": [9, 3]}
    conv_template.save()
    with pytest.raises(ApplicationError, match="greater than high"):
        services.variant_get_or_create(template=conv_template, seed=1)
    assert Variant.objects.count() == 0


def test_an_attempt_by_a_user_records_the_verdict(conv_template):
    user = UserFactory()
    variant = services.variant_get_or_create(template=conv_template, seed=7)
    outcome = services.attempt_create(
        variant=variant,
        raw_answer=variant.content["answer"]["display"],
        user=user,
        time_taken_ms=1234,
    )
    assert outcome.result.is_correct is True
    attempt = Attempt.objects.get()
    assert (attempt.user, attempt.is_correct, attempt.time_taken_ms) == (user, True, 1234)


def test_an_anonymous_attempt_without_a_session_is_refused(conv_template):
    variant = services.variant_get_or_create(template=conv_template, seed=7)
    with pytest.raises(ApplicationError, match="session"):
        services.attempt_create(variant=variant, raw_answer="3", user=AnonymousUser())
    assert Attempt.objects.count() == 0


def test_an_absurd_time_taken_is_dropped_not_refused(conv_template):
    variant = services.variant_get_or_create(template=conv_template, seed=7)
    services.attempt_create(
        variant=variant, raw_answer="3", user=None, session_key="s" * 32, time_taken_ms=-5
    )
    assert Attempt.objects.get().time_taken_ms is None


def _always_seed(monkeypatch, seed: int) -> None:
    monkeypatch.setattr(services.secrets, "randbelow", lambda _upper: seed)


def test_a_random_seed_already_stored_returns_the_stored_variant(conv_template, monkeypatch):
    # Given a stored variant, and the random source drawing its seed again
    stored = services.variant_get_or_create(template=conv_template, seed=99)
    _always_seed(monkeypatch, 99)
    # when a fresh variant is asked for, inside a transaction (the test's)
    again = services.variant_create_random(template=conv_template)
    # then the insert's conflict is caught, the stored row returned, and the transaction usable
    assert again.pk == stored.pk
    assert again.content == stored.content
    assert Variant.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_random_seed_collision_outside_a_transaction_returns_the_stored_variant(
    conv_template, monkeypatch
):
    stored = services.variant_get_or_create(template=conv_template, seed=7)
    _always_seed(monkeypatch, 7)
    again = services.variant_create_random(template=conv_template, difficulty="medium")
    assert again.pk == stored.pk
    fresh = services.variant_get_or_create(template=conv_template, seed=8)
    assert Variant.objects.count() == 2
    assert fresh.seed == 8


def test_a_random_variant_refuses_an_unknown_difficulty(conv_template):
    with pytest.raises(ApplicationError, match="difficulty"):
        services.variant_create_random(template=conv_template, difficulty="extreme")
    assert Variant.objects.count() == 0
