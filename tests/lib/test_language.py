"""The current language, as one of our codes, whatever Django has active."""

import pytest
from django.utils import translation

from clinicshield.lib.language import current_language


@pytest.mark.parametrize(
    ("active", "expected"),
    [("en", "en"), ("es", "es"), ("es-mx", "es"), ("en-gb", "en"), ("fr", "en"), ("de-at", "en")],
)
def test_it_names_the_active_language_with_one_of_our_codes(active: str, expected: str) -> None:
    with translation.override(active):
        assert current_language() == expected


def test_it_falls_back_to_the_default_when_translations_are_off() -> None:
    with translation.override(None):  # deactivated: Django's get_language() is None
        assert current_language() == "en"
