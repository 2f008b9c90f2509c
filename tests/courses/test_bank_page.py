"""The instructors' bank page: download the bank, upload a file that is validated whole before
anything is written (issue 6, gap 1 on the page as on the command line and the API)."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import AuthoredQuestion
from quizzes.models import QuestionTemplate, Topic
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = """format: stride-bank/1
topics:
  - slug: pooling-basics
    title: Pooling
templates:
  - slug: pool-easy
    title: Pool it
    topic: pooling-basics
    family: pooling
    difficulty: easy
"""
# parses (padding 5 is inside the transposed family's bounds), but its keys are negative sizes
IMPOSSIBLE = (
    GOOD
    + """  - slug: transposed-padded
    title: Transposed with a big padding
    topic: pooling-basics
    family: transposed
    config: {padding: [5, 5]}
"""
)


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("bank.yaml", text.encode(), content_type="application/yaml")


def test_a_broken_file_is_refused_on_the_page_with_its_lines_and_writes_nothing(client, instructor):
    client.force_login(instructor)
    response = client.post(reverse("teach:bank"), {"bank": _upload(IMPOSSIBLE)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "nothing was imported" in html
    assert "line 11: template &#x27;transposed-padded&#x27;, config: " in html
    assert not Topic.objects.filter(slug="pooling-basics").exists()
    assert not QuestionTemplate.objects.exists()


def test_a_good_file_is_imported_and_the_page_says_what_changed(client, instructor):
    client.force_login(instructor)
    response = client.post(reverse("teach:bank"), {"bank": _upload(GOOD)}, follow=True)
    assert "Imported. topics created: 1" in response.content.decode()
    assert QuestionTemplate.objects.get(slug="pool-easy").family == "pooling"


def test_the_download_holds_the_instructors_courses(client, instructor, published_template):
    client.force_login(instructor)
    response = client.get(reverse("teach:bank-export"))
    assert response["Content-Disposition"] == 'attachment; filename="stride-bank.yaml"'
    document = yaml.safe_load(response.content)
    assert [row["lineage"] for row in document["course_templates"]] == ["output-shape"]


def test_students_and_strangers_get_a_403_and_import_nothing(client, course):
    student = MembershipFactory(course=course, user=UserFactory(username="pupil")).user
    for user in (student, UserFactory(username="nobody")):
        client.force_login(user)
        assert client.get(reverse("teach:bank")).status_code == 403
        assert client.get(reverse("teach:bank-export")).status_code == 403
        assert client.post(reverse("teach:bank"), {"bank": _upload(GOOD)}).status_code == 403
    assert not QuestionTemplate.objects.exists()
    assert not AuthoredQuestion.objects.exists()


def test_a_file_that_is_not_a_bank_at_all_is_a_clear_error_not_a_500(client, instructor):
    client.force_login(instructor)
    garbage = SimpleUploadedFile("bank.yaml", b"\xff\xfe\x00binary", content_type="text/plain")
    response = client.post(reverse("teach:bank"), {"bank": garbage})
    assert response.status_code == 200
    assert "the file is not UTF-8 text" in response.content.decode()
    not_yaml = client.post(reverse("teach:bank"), {"bank": _upload("topics: [unclosed")})
    assert "not valid YAML/JSON" in not_yaml.content.decode()
