"""The language people are reading in, as one of our codes ("en", "es")."""

from django.conf import settings
from django.utils import translation


def current_language() -> str:
    """The active language as a code of settings.LANGUAGES ("es" for "es-mx"); the default
    language when none is active or the active one is not ours."""
    active = (translation.get_language() or "").lower()
    for code, _name in settings.LANGUAGES:
        if active == code or active.startswith(f"{code}-"):
            return str(code)
    return str(settings.LANGUAGE_CODE)
