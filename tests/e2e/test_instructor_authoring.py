"""An instructor, in real headless Chromium against a live server: creates a course, authors a
formula template, validates and previews it, publishes it and an assignment (issue 6, gap 6).

Screenshots go to artifacts/screenshots/ (teach-*.png); docs/screenshots/ keeps copies of two.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from courses.models import Assignment, AuthoredQuestion, Course, Membership, Role
from tests.factories import InstructorFactory, TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-9"


def _shot(page, name: str, screenshots: Path) -> None:
    page.screenshot(path=str(screenshots / f"teach-{name}.png"), full_page=True)


def test_an_instructor_authors_validates_previews_and_publishes(live_server, browser, screenshots):
    TopicFactory(slug="conv-output-size", title="Conv2d output size")
    prof = InstructorFactory(username="prof")
    prof.set_password(PASSWORD)
    prof.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    base = live_server.url

    # Log in and create a course
    page.goto(base + "/accounts/login/?next=/teach/")
    page.get_by_label("Username").fill("prof")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/teach/")
    page.get_by_label("Title").fill("CNN shapes 101")
    page.get_by_role("button", name="Create course").click()
    page.wait_for_url(f"{base}/teach/*/")
    course = Course.objects.get(title="CNN shapes 101")
    assert Membership.objects.get(course=course).role == Role.INSTRUCTOR
    assert page.locator("#join-code").inner_text() == course.join_code
    _shot(page, "course", screenshots)

    # Author a formula template with an invalid range first: 'same' needs an odd kernel
    page.get_by_role("link", name="New formula template").click()
    page.locator("#family-picker").select_option("conv_output")
    page.get_by_role("button", name="Choose family").click()
    page.locator("#template-form").get_by_label("Title").fill("Output shape")
    page.get_by_label("Topic").select_option(label="Conv2d output size")
    page.get_by_label("Difficulty").select_option("easy")
    page.get_by_label("kernel_size low").fill("3")
    page.get_by_label("kernel_size high").fill("5")
    page.get_by_label("input_size low").fill("16")
    page.get_by_label("input_size high").fill("32")
    _shot(page, "template-form", screenshots)
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url(f"{base}/teach/questions/*/")

    # Preview: four seeded variants side by side, with answers
    assert page.locator("article.preview").count() == 4
    authored = AuthoredQuestion.objects.get(course=course)
    assert not authored.is_published
    _shot(page, "preview", screenshots)

    # Validate and publish
    page.get_by_role("button", name="Validate and publish").click()
    assert page.locator("#validation-verdict").inner_text().startswith("Valid:")
    authored.refresh_from_db()
    assert authored.is_published
    _shot(page, "published", screenshots)

    # Publish an assignment with two seeded questions of it
    page.get_by_role("link", name="CNN shapes 101").first.click()
    page.get_by_role("link", name="New assignment").click()
    now = timezone.localtime()
    page.locator("#assignment-form").get_by_label("Title").fill("Week 1")
    page.get_by_label("Opens at").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Closes at").fill((now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Count of Output shape").fill("2")
    page.get_by_label("Difficulty of Output shape").select_option("easy")
    _shot(page, "assignment-form", screenshots)
    page.get_by_role("button", name="Create assignment").click()
    page.wait_for_url(f"{base}/teach/{course.pk}/")
    assignment = Assignment.objects.get(course=course)
    assert assignment.is_published
    assert assignment.items.get().count == 2
    assert "Week 1" in page.locator("main").inner_text()

    # The roster page lists the instructor
    page.get_by_role("link", name="Manage the roster").click()
    assert "prof" in page.locator("#roster").inner_text()
    _shot(page, "roster", screenshots)
    context.close()
