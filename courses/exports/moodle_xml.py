"""Moodle XML: one ``$course$/<template>`` category per template, then its variants.

Numerical (integer keys, tolerance 0), multichoice (single answer, shuffled by Moodle) and
shortanswer (shape keys, several accepted spellings). Written with the standard library.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from courses.exports.common import ExportBundle, ExportKind, ExportQuestion


def _text(parent: ET.Element, tag: str, value: str, *, html: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if html:
        element.set("format", "html")
    ET.SubElement(element, "text").text = value
    return element


def _answer(parent: ET.Element, fraction: int, text: str, *, html: bool = False) -> ET.Element:
    answer = ET.SubElement(parent, "answer", fraction=str(fraction))
    if html:
        answer.set("format", "html")
    ET.SubElement(answer, "text").text = text
    return answer


def _question(quiz: ET.Element, question: ExportQuestion) -> None:
    element = ET.SubElement(quiz, "question", type=str(question.kind))
    _text(element, "name", question.name)
    _text(element, "questiontext", question.prompt_html, html=True)
    _text(element, "generalfeedback", question.feedback_html, html=True)
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = "0.3333333"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question.identifier
    if question.kind is ExportKind.NUMERICAL:
        answer = _answer(element, 100, str(question.number))
        ET.SubElement(answer, "tolerance").text = "0"
    elif question.kind is ExportKind.MULTICHOICE:
        ET.SubElement(element, "single").text = "true"
        ET.SubElement(element, "shuffleanswers").text = "true"
        ET.SubElement(element, "answernumbering").text = "ABCD"
        for choice in question.choices:
            _answer(element, 100 if choice.is_correct else 0, choice.html, html=True)
    else:
        ET.SubElement(element, "usecase").text = "0"
        for accepted in question.accepted:
            _answer(element, 100, accepted)


def render(bundle: ExportBundle) -> bytes:
    quiz = ET.Element("quiz")
    for category in bundle.categories:
        marker = ET.SubElement(quiz, "question", type="category")
        _text(marker, "category", f"$course$/top/{bundle.title}/{category.name}")
        for question in category.questions:
            _question(quiz, question)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)
