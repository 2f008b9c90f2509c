"""GIFT (Moodle's text format): ``$CATEGORY:`` per template, then one question per variant.

Special characters ``~ = # { } :`` and backslash are escaped as the format requires; prompts are
marked ``[markdown]``. Each question is preceded by ``// [id:<identifier>]``, the comment Moodle
reads as the question's ID number (the same ``idnumber`` the Moodle XML export sets).
"""

from __future__ import annotations

from courses.exports.common import ExportBundle, ExportKind, ExportQuestion

SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Escape GIFT's special characters; newlines become ``\\n`` (a blank line ends a question)."""
    escaped = "".join(f"\\{char}" if char in SPECIAL else char for char in text)
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def _question(question: ExportQuestion) -> str:
    head = f"::{escape(question.name)}::[markdown]{escape(question.prompt_text)}"
    if question.kind is ExportKind.NUMERICAL:
        body = f"{{#{question.number}}}"
    elif question.kind is ExportKind.MULTICHOICE:
        options = "\n".join(
            f"  {'=' if choice.is_correct else '~'}{escape(choice.text)}"
            for choice in question.choices
        )
        body = "{\n" + options + "\n}"
    else:
        body = "{\n" + "\n".join(f"  ={escape(text)}" for text in question.accepted) + "\n}"
    return f"// [id:{question.identifier}]\n{head} {body}\n"


def render(bundle: ExportBundle) -> str:
    parts = []
    for category in bundle.categories:
        parts.append(f"$CATEGORY: $course$/top/{bundle.title}/{category.name}\n")
        parts.extend(_question(question) for question in category.questions)
    return "\n".join(parts)
