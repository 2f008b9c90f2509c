"""The bank's JSON Schema, and the LMS exports read back: GIFT by gift-pegjs, XML with lxml."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.urls import reverse
from lxml import etree

from core.services import bank_export_all
from courses import selectors
from courses.exports import gift, moodle_xml, qti
from quizzes.generators import get_generator

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "tests/js"
SCHEMA = json.loads((ROOT / "fixtures/schema/stride-bank.schema.json").read_text())


def test_starter_bank_matches_the_published_schema():
    document = yaml.safe_load((ROOT / "fixtures/starter_bank.yaml").read_text())
    jsonschema.validate(document, SCHEMA)


def test_schema_refuses_an_unknown_family():
    bad = {
        "format": "stride-bank/1",
        "templates": [{"slug": "a", "title": "A", "topic": "t", "family": "nope"}],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


@pytest.mark.django_db
def test_exported_bank_matches_the_schema(published_template):
    jsonschema.validate(yaml.safe_load(bank_export_all()), SCHEMA)


@pytest.fixture
def bundle(published_template, course):  # noqa: ANN001, ANN201
    return selectors.course_export_bundle(course=course, variants_per_template=5)


def _expected(template) -> list[tuple[str, str]]:  # noqa: ANN001
    """(Moodle type, first accepted answer) per seed, computed from the generator directly."""
    generator = get_generator(template.family)
    expected = []
    for seed in range(1, 6):
        value = generator.generate(
            seed=seed, difficulty=template.difficulty, config=template.config
        ).answer.value
        if isinstance(value, int):
            expected.append(("numerical", str(value)))
        else:
            expected.append(("shortanswer", f"({', '.join(map(str, value))})"))
    return expected


@pytest.mark.django_db
def test_moodle_xml_parsed_by_lxml_has_a_category_and_the_keys(bundle, published_template):
    root = etree.fromstring(moodle_xml.render(bundle))
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].findtext("category/text") == "$course$/top/CNN shapes 101/Output shape"
    found = [(q.get("type"), q.find("answer").findtext("text")) for q in questions[1:]]
    assert found == _expected(published_template.template)
    assert all(a.get("fraction") == "100" for q in questions[1:] for a in q.findall("answer"))


@pytest.mark.django_db
def test_qti_package_has_a_manifest_and_one_assessment_per_template(bundle, published_template):
    archive = zipfile.ZipFile(io.BytesIO(qti.render(bundle)))
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    ns = {"cp": qti.CP_NS, "q": qti.QTI_NS}
    hrefs = [r.get("href") for r in manifest.findall("cp:resources/cp:resource", ns)]
    slug = published_template.template.slug
    assert hrefs == [f"{slug}/{slug}.xml"]
    assert sorted(archive.namelist()) == sorted(["imsmanifest.xml", hrefs[0]])
    assessment = etree.fromstring(archive.read(hrefs[0]))
    items = assessment.findall("q:assessment/q:section/q:item", ns)
    assert len(items) == 5
    canvas = {"numerical": "numerical_question", "shortanswer": "short_answer_question"}
    found = [
        (i.findtext(".//q:fieldentry", namespaces=ns), i.find(".//q:varequal", ns).text)
        for i in items
    ]
    assert found == [(canvas[t], key) for t, key in _expected(published_template.template)]


def _gift_pegjs(text: str) -> list[dict]:
    """What gift-pegjs, the reference GIFT grammar (tests/js), parses ``text`` into."""
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules/gift-pegjs").is_dir():
        pytest.fail(
            "the GIFT tests need node and gift-pegjs: run `make test`, or "
            "`npm ci --prefix tests/js --no-audit --no-fund` with node and npm installed"
        )
    result = subprocess.run(  # noqa: S603 - our own script, with the export on stdin
        [node, str(JS_DIR / "parse_gift.js")],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _parse_gift(text: str) -> list[dict]:
    """The questions (categories left out) as gift-pegjs reads them: title, type, answers."""
    questions = []
    for parsed in _gift_pegjs(text):
        if parsed["type"] == "Category":
            continue
        choices = parsed["choices"]
        if parsed["type"] == "Numerical":
            right = [f"#{choices['number']}"] if choices["type"] == "simple" else []
            wrong = []
        else:
            right = [choice["text"]["text"] for choice in choices if choice["isCorrect"]]
            wrong = [choice["text"]["text"] for choice in choices if not choice["isCorrect"]]
        questions.append(
            {"name": parsed["title"], "type": parsed["type"], "right": right, "wrong": wrong}
        )
    return questions


@pytest.mark.django_db
def test_gift_read_by_the_reference_grammar(bundle, published_template):
    parsed = _gift_pegjs(gift.render(bundle))
    assert parsed[0] == {"type": "Category", "title": "$course$/top/CNN shapes 101/Output shape"}
    questions = _parse_gift(gift.render(bundle))
    assert [q["name"] for q in questions] == [f"Output shape #{s}" for s in range(1, 6)]
    gift_types = {"numerical": "Numerical", "shortanswer": "Short"}
    assert [(q["type"], q["right"][0], q["wrong"]) for q in questions] == [
        (gift_types[kind], key if kind == "shortanswer" else f"#{key}", [])
        for kind, key in _expected(published_template.template)
    ]
    slug = published_template.template.slug
    assert [q["id"] for q in parsed[1:]] == [f"{slug}-{seed}" for seed in range(1, 6)]


@pytest.mark.django_db
def test_download_buttons_serve_the_files(client, instructor, published_template, course):
    client.force_login(instructor)
    moodle = client.get(reverse("teach:export", args=[course.pk, "moodle"]))
    assert moodle["Content-Type"] == "application/xml"
    assert etree.fromstring(moodle.content).tag == "quiz"
    package = client.get(reverse("teach:export", args=[course.pk, "qti"]))
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(package.content)).namelist()
