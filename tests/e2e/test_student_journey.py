"""A new student, in real headless Chromium, against a live server, the real worker and sandbox.

Signs up, answers a formula question right and one wrong (and sees the misconception named),
opens the diagram, has a code snippet graded by the real Celery worker, and sees the progress
page change. Every page is screenshotted to artifacts/screenshots/ and checked for contrast,
labels and keyboard reach, and on a phone-sized screen.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from grader.models import CodeQuestion, Submission
from quizzes.models import Attempt, Variant
from tests.e2e.accessibility import (
    contrast_failures,
    horizontal_overflow,
    keyboard_walk,
    unlabelled_fields,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-9"


def _check_page(page, name: str, screenshots: Path) -> None:
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert contrast_failures(page) == [], name
    assert unlabelled_fields(page) == [], name


def _check_keyboard(page, name: str) -> None:
    unreached, invisible = keyboard_walk(page)
    assert unreached == [], f"{name}: not reachable with Tab: {unreached}"
    assert invisible == [], f"{name}: no visible focus: {invisible}"


def _variant_on(page) -> Variant:
    variant_id = int(re.search(r"/questions/(\d+)/", page.url).group(1))
    return Variant.objects.get(pk=variant_id)


def _free_answer_text(value) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return str(value)


def test_a_new_student_practises_sees_feedback_and_progress(
    live_server, browser, celery_worker, screenshots
):
    # Given the starter bank (topics, templates and code questions) on a live server
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    base = live_server.url

    # The catalogue
    page.goto(base + "/")
    assert page.get_by_role("heading", name="Predict every shape before PyTorch does").is_visible()
    assert page.locator(".topic").count() == 13
    _check_page(page, "home", screenshots)
    _check_keyboard(page, "home")

    # Sign up
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    _check_page(page, "signup", screenshots)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(base + "/")
    assert page.locator(".account .who").inner_text() == "ada"

    # The progress page before practising
    page.goto(base + "/progress/")
    assert page.locator("#answered-count").inner_text() == "0"
    _check_page(page, "progress-empty", screenshots)

    # A formula question, answered right
    page.goto(base + "/practice/conv-output-size/")
    variant = _variant_on(page)
    assert variant.difficulty == "easy"  # a new student starts easy
    assert page.locator(".prompt .highlight").count() == 1  # the PyTorch code, highlighted
    page.get_by_role("button", name="Show a hint").click()
    assert page.locator("#hint-list li:not([hidden])").count() == 1
    _check_page(page, "question", screenshots)
    _check_keyboard(page, "question")
    page.get_by_label("Your answer").fill(variant.content["answer"]["display"])
    page.get_by_role("button", name="Check answer").click()
    assert page.locator("#feedback .verdict").inner_text().endswith("Correct!")
    assert page.locator(".formula math").count() >= 1  # the formula, as MathML
    assert "1 right in a row" in page.locator(".session-note").inner_text()
    _check_page(page, "question-correct", screenshots)

    # A second question, answered with a classic mistake
    page.get_by_role("link", name="Next question →").click()
    variant = _variant_on(page)
    wrong = variant.content["wrong_answers"][0]
    page.get_by_label("Your answer").fill(_free_answer_text(wrong["value"]))
    page.get_by_role("button", name="Check answer").click()
    assert page.locator("#feedback .verdict").inner_text().endswith("Not quite.")
    named = page.locator("#misconception .name").inner_text()
    assert named  # the misconception, by name
    assert (
        Attempt.objects.filter(user__username="ada", is_correct=False).get().misconception
        == (wrong["misconception"])
    )
    assert page.locator("#feedback").evaluate("e => e === document.activeElement")

    # The diagram: closed until the student opens it, with a text alternative
    diagram = page.locator("#diagram-panel svg")
    assert not diagram.is_visible()
    page.locator("#diagram-panel summary").click()
    assert diagram.is_visible()
    assert diagram.get_attribute("role") == "img"
    assert "So the output is" in page.locator("#diagram-description").inner_text()
    _check_page(page, "question-feedback", screenshots)
    _check_keyboard(page, "question-feedback")
    page.locator("#diagram-panel").screenshot(path=str(screenshots / "diagram.png"))

    # A code question, graded by the real worker, with a live status
    question = CodeQuestion.objects.get(slug="map-shape-1")
    _batch, channels, _h, _w = question.variant.visible_input
    out_channels = question.spec["params"].get("out_channels", 16)
    page.goto(base + "/code/map-shape-1/")
    _check_keyboard(page, "code-question")
    page.locator("#code-editor").fill(
        f"import torch.nn as nn\nmodel = nn.Conv2d({channels}, {out_channels}, kernel_size=5)\n"
    )
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector('#submission-status[data-status="graded"]', timeout=90_000)
    assert page.locator("#results table.cases tbody tr").count() == 3
    assert page.locator("#results tr.diverges").count() == 1  # the layer that went wrong
    _check_page(page, "code-question-graded", screenshots)
    assert Submission.objects.get().user.username == "ada"

    # The progress page has changed
    page.goto(base + "/progress/")
    assert page.locator("#answered-count").inner_text() == "2"
    assert page.locator(".chart-svg polyline, .chart-svg circle").count() >= 2
    assert named in page.locator(".misconception-list").inner_text()
    assert "Map" in page.locator("#code-submissions").inner_text() or (
        page.locator("#code-submissions tbody tr").count() == 1
    )
    _check_page(page, "progress", screenshots)
    _check_keyboard(page, "progress")

    # The same pages on a phone-sized screen
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.add_cookies(context.cookies())
    mobile = phone.new_page()
    for name, path in (
        ("home", "/"),
        ("question", f"/questions/{variant.pk}/"),
        ("progress", "/progress/"),
        ("code", "/code/map-shape-1/"),
    ):
        mobile.goto(base + path)
        assert horizontal_overflow(mobile) == 0, name
        mobile.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
    phone.close()
    context.close()


def test_log_in_keeps_anonymous_practice_and_password_reset_sends_a_link(
    live_server, browser, screenshots, mailoutbox, django_user_model
):
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    django_user_model.objects.create_user("grace", "grace@example.com", PASSWORD)
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    base = live_server.url

    # Given an anonymous student who answered one question
    page.goto(base + "/practice/pooling/")
    variant = _variant_on(page)
    if variant.content["choices"]:
        page.locator("label.choice").first.click()
    else:
        page.get_by_label("Your answer").fill(variant.content["answer"]["display"])
    page.get_by_role("button", name="Check answer").click()
    page.wait_for_selector("#feedback")

    # when they log in
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    _check_page(page, "login", screenshots)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")

    # then the answer is theirs, and the catalogue shows the practised topic
    assert Attempt.objects.get().user.username == "grace"
    assert "1/1 right" in page.locator(".topic", has_text="Pooling layers").inner_text() or (
        "0/1 right" in page.locator(".topic", has_text="Pooling layers").inner_text()
    )

    # Password reset sends a link (console backend in development, the outbox in tests)
    page.get_by_role("button", name="Log out").click()
    page.goto(base + "/accounts/password_reset/")
    page.get_by_label("Email").fill("grace@example.com")
    _check_page(page, "password-reset", screenshots)
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url(base + "/accounts/password_reset/done/")
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("another-long-phrase-7")
    page.get_by_label("New password confirmation").fill("another-long-phrase-7")
    page.get_by_role("button", name="Set the password").click()
    assert page.get_by_role("heading", name="Password changed").is_visible()
    context.close()
