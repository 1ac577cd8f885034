"""Template filters that put words on the codes of playbooks and scenarios."""

from typing import Any

from django import template

from ..models import ROLE_CHOICES, TimelineEntry
from ..words import CLOCK_LABELS, LEVEL_LABELS, timeline_sentence

register = template.Library()
ROLE_LABELS = dict(ROLE_CHOICES)


@register.filter
def role_label(code: str) -> Any:
    return ROLE_LABELS.get(code, code)


@register.filter
def clock_label(code: str) -> Any:
    return CLOCK_LABELS.get(code, code)


@register.filter
def level_label(code: str) -> Any:
    return LEVEL_LABELS.get(code, code)


@register.filter
def timeline_text(entry: TimelineEntry) -> str:
    return timeline_sentence(entry.code, entry.params, entry.text)
