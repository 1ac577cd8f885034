"""What people read that is built in Python: lesson Markdown made safe HTML, and the module
editor's sentences for the content problems core returns as codes."""

import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .core.content import Problem

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
    """A lesson as HTML. Organisation-written modules take the same path, so whatever a
    manager types is sanitised before any member of staff sees it."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


MESSAGES = {
    "lesson_without_title": gettext_lazy("The lesson must start with a '# Title' line."),
    "quiz_not_yaml": gettext_lazy("This is not valid YAML: %(error)s"),
    "quiz_without_questions": gettext_lazy("The quiz needs a 'questions:' list."),
    "question_not_a_mapping": gettext_lazy("A question must have id, text, choices, explanation."),
    "question_bad_id": gettext_lazy(
        "The id '%(id)s' must be lower case letters, digits and dashes, starting with a letter."
    ),
    "question_without_text": gettext_lazy("The question has no text."),
    "question_without_explanation": gettext_lazy("The question has no explanation."),
    "question_too_few_choices": gettext_lazy("The question needs at least %(minimum)s choices."),
    "question_needs_one_correct": gettext_lazy(
        "Exactly one choice must be marked 'correct: true' (found %(found)s)."
    ),
    "choice_without_text": gettext_lazy("A choice has no text."),
    "choice_correct_not_boolean": gettext_lazy("'correct' must be true or false."),
    "duplicate_question_id": gettext_lazy("Two questions have the id '%(id)s'."),
    "quiz_translations_differ": gettext_lazy(
        "The %(language)s quiz must ask the same questions, with the right answer in the same "
        "place, as the %(reference)s one."
    ),
    "custom_module_empty": gettext_lazy("Write a lesson and a quiz in at least one language."),
    "module_bad_key": gettext_lazy(
        "The key '%(key)s' must be lower case letters, digits and dashes, starting with a letter."
    ),
    "module_key_taken": gettext_lazy("There is already a module with the key '%(key)s'."),
    "module_bad_roles": gettext_lazy("Choose who the module is for."),
    "module_bad_pass_mark": gettext_lazy("A pass mark is a percentage from 1 to 100."),
    "module_bad_minutes": gettext_lazy("Minutes to read must be a whole number from 1 up."),
}

PLACES = {
    "lesson_en": gettext_lazy("Lesson (English)"),
    "lesson_es": gettext_lazy("Lesson (Spanish)"),
    "quiz_en": gettext_lazy("Quiz (English)"),
    "quiz_es": gettext_lazy("Quiz (Spanish)"),
    "quiz": gettext_lazy("Quizzes"),
    "key": gettext_lazy("Key"),
    "roles": gettext_lazy("For"),
}


def describe(problem: Problem) -> str:
    """ "Quiz (English), question 2: Exactly one choice must be marked ..." for the editor."""
    template = MESSAGES.get(problem.code)
    message = str(template) % problem.params if template is not None else str(problem)
    match = re.match(r"^(\w+)(?::(\d+))?(?: question (\d+))?$", problem.where)
    if match is None or match.group(1) not in PLACES:
        return message
    place = str(PLACES[match.group(1)])
    if match.group(3):
        place = _("%(place)s, question %(number)s") % {"place": place, "number": match.group(3)}
    elif match.group(2):
        place = _("%(place)s, line %(number)s") % {"place": place, "number": match.group(2)}
    return f"{place}: {message}"
