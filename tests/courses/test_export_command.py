"""``manage.py export_lms``: the three formats read back independently, and clear errors."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from tests.courses.test_bank_and_exports import _parse_gift

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_lms", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_moodle_xml_file_has_n_variants_in_one_category(tmp_path, course, published_template):
    target = tmp_path / "moodle.xml"
    _out, err = _run(
        "--format", "moodle", "--course", str(course.pk), "--variants", "4", str(target)
    )
    root = etree.fromstring(target.read_bytes())
    categories = root.findall("question[@type='category']")
    questions = root.xpath("question[not(@type='category')]")
    assert len(categories) == 1
    assert len(questions) == 4
    assert "Exported 4 questions in 1 categories" in err


def test_qti_zip_by_join_code(tmp_path, course, published_template):
    target = tmp_path / "qti.zip"
    _run("--format", "qti", "--course", course.join_code.lower(), "--variants", "2", str(target))
    with zipfile.ZipFile(target) as archive:
        assert "imsmanifest.xml" in archive.namelist()
        etree.fromstring(archive.read("imsmanifest.xml"))


def test_gift_to_stdout(course, published_template):
    out, _err = _run("--format", "gift", "--course", str(course.pk), "--variants", "3", "-")
    assert len(_parse_gift(out)) == 3


@pytest.mark.parametrize(
    ("course_ref", "variants", "fmt", "path", "message"),
    [
        ("999999", "2", "moodle", "-", "No course with id or join code '999999'"),
        ("NOPE", "2", "moodle", "-", "No course with id or join code 'NOPE'"),
        ("{pk}", "0", "moodle", "-", "--variants must be from 1 to 200, not 0"),
        ("{pk}", "2", "qti", "-", "QTI package is a zip file"),
        ("{pk}", "2", "moodle", "/no/such/folder/x.xml", "/no/such/folder does not exist"),
    ],
)
def test_clear_errors(course, published_template, course_ref, variants, fmt, path, message):
    ref = course_ref.format(pk=course.pk)
    with pytest.raises(CommandError, match=message):
        _run("--format", fmt, "--course", ref, "--variants", variants, path)


def test_a_course_without_published_templates_is_refused(course):
    with pytest.raises(CommandError, match="no published formula template"):
        _run("--format", "gift", "--course", str(course.pk), "-")


def test_unknown_format_is_refused(course):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("--format", "pdf", "--course", str(course.pk), "-")
