"""QTI 1.2 as Canvas imports it: a zip with ``imsmanifest.xml`` and one assessment per template.

Each template becomes an assessment (a quiz bank in Canvas) holding its N variants as items:
``numerical_question`` (integer key, exact), ``multiple_choice_question`` and
``short_answer_question`` (several accepted spellings), with the ``qtimetadata`` Canvas reads.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

from courses.exports.common import ExportBundle, ExportCategory, ExportKind, ExportQuestion

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_TYPES = {
    ExportKind.NUMERICAL: "numerical_question",
    ExportKind.MULTICHOICE: "multiple_choice_question",
    ExportKind.SHORTANSWER: "short_answer_question",
}


def _metadata(parent: ET.Element, fields: dict[str, str]) -> None:
    metadata = ET.SubElement(parent, "qtimetadata")
    for label, entry in fields.items():
        field = ET.SubElement(metadata, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def _mattext(parent: ET.Element, html: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", texttype="text/html").text = html


def _correct(parent: ET.Element, condition: ET.Element) -> None:
    respcondition = ET.SubElement(parent, "respcondition", attrib={"continue": "No"})
    respcondition.append(condition)
    ET.SubElement(respcondition, "setvar", action="Set", varname="SCORE").text = "100"


def _item(section: ET.Element, question: ExportQuestion) -> None:
    item = ET.SubElement(section, "item", ident=question.identifier, title=question.name)
    itemmetadata = ET.SubElement(item, "itemmetadata")
    _metadata(
        itemmetadata,
        {"question_type": CANVAS_TYPES[question.kind], "points_possible": "1.0"},
    )
    presentation = ET.SubElement(item, "presentation")
    _mattext(presentation, question.prompt_html)
    processing = ET.SubElement(item, "resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(
        outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal"
    )
    if question.kind is ExportKind.MULTICHOICE:
        response = ET.SubElement(
            presentation, "response_lid", ident="response1", rcardinality="Single"
        )
        render_choice = ET.SubElement(response, "render_choice")
        for index, choice in enumerate(question.choices):
            label = ET.SubElement(
                render_choice, "response_label", ident=f"{question.identifier}-{index}"
            )
            _mattext(label, choice.html)
            if choice.is_correct:
                condition = ET.Element("conditionvar")
                ET.SubElement(
                    condition, "varequal", respident="response1"
                ).text = f"{question.identifier}-{index}"
                _correct(processing, condition)
    elif question.kind is ExportKind.NUMERICAL:
        response = ET.SubElement(
            presentation, "response_str", ident="response1", rcardinality="Single"
        )
        ET.SubElement(response, "render_fib", fibtype="Decimal")
        condition = ET.Element("conditionvar")
        ET.SubElement(condition, "varequal", respident="response1").text = str(question.number)
        _correct(processing, condition)
    else:
        response = ET.SubElement(
            presentation, "response_str", ident="response1", rcardinality="Single"
        )
        ET.SubElement(response, "render_fib")
        condition = ET.Element("conditionvar")
        for accepted in question.accepted:
            ET.SubElement(condition, "varequal", respident="response1").text = accepted
        _correct(processing, condition)
    if question.feedback_html:
        feedback = ET.SubElement(item, "itemfeedback", ident="general_fb")
        flow = ET.SubElement(feedback, "flow_mat")
        _mattext(flow, question.feedback_html)


def assessment_xml(category: ExportCategory) -> bytes:
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = ET.SubElement(root, "assessment", ident=category.identifier, title=category.name)
    _metadata(assessment, {"cc_maxattempts": "1"})
    section = ET.SubElement(assessment, "section", ident="root_section")
    for question in category.questions:
        _item(section, question)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def manifest_xml(bundle: ExportBundle) -> bytes:
    root = ET.Element("manifest", identifier="stride-export", xmlns=CP_NS)
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for category in bundle.categories:
        resource = ET.SubElement(
            resources,
            "resource",
            identifier=category.identifier,
            type="imsqti_xmlv1p2",
            href=f"{category.identifier}/{category.identifier}.xml",
        )
        ET.SubElement(resource, "file", href=f"{category.identifier}/{category.identifier}.xml")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def render(bundle: ExportBundle) -> bytes:
    """The zip package: imsmanifest.xml at the root, one folder per assessment."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest_xml(bundle))
        for category in bundle.categories:
            path = f"{category.identifier}/{category.identifier}.xml"
            archive.writestr(path, assessment_xml(category))
    return buffer.getvalue()
