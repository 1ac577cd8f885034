import pytest

from clinicshield.simulations.core.landing import clipboard_payload, lesson, verification_id
from clinicshield.simulations.core.library import (
    TemplateError,
    load_library,
    render_email,
    template_from_dict,
)
from clinicshield.simulations.core.tokens import find_tokens, new_token

REQUIRED_LURES = {
    "lab_results",
    "password_expiry",
    "supplier_invoice",
    "courier",
    "shared_document",
    "patient_complaint",
    "e_prescription",
    "payslip",
    "mailbox_full",
    "booking",
}


def test_the_library_has_every_required_lure_in_english_and_spanish():
    library = load_library()
    assert len(library) >= 10
    assert {t.lure for t in library.values()} >= REQUIRED_LURES
    for template in library.values():
        assert set(template.versions) == {"en", "es"}, template.key
        assert len(template.red_flags) >= 3, template.key
        for flag in template.red_flags:
            assert flag.text.get("es"), (template.key, flag.code)


def test_the_library_has_clickfix_and_filefix_lures_and_all_difficulties():
    library = load_library().values()
    assert {t.landing for t in library} == {"credential", "clickfix", "filefix"}
    assert {t.difficulty for t in library} == {1, 2, 3}
    assert {t.key for t in library if t.kind == "clickfix"} >= {"booking-captcha"}


def test_it_renders_a_personalised_email_and_escapes_values_in_html():
    template = load_library()["ehr-password-expiry"]
    values = {"first_name": "<b>Ana</b>", "link": "https://sim.example/t/abc?x=1&y=2"}
    email = render_email(template, "es", values, pixel_url="https://sim.example/t/abc/px.gif")
    assert email.subject.startswith("ACCIÓN NECESARIA")
    assert "Hola, <b>Ana</b>:" in email.text
    assert "Mantener mi contraseña actual: https://sim.example/t/abc?x=1&y=2" in email.text
    assert "&lt;b&gt;Ana&lt;/b&gt;" in email.html and "<b>Ana</b>" not in email.html
    assert 'href="https://sim.example/t/abc?x=1&amp;y=2"' in email.html
    assert 'src="https://sim.example/t/abc/px.gif"' in email.html


def test_it_falls_back_to_english_for_a_language_it_lacks():
    email = render_email(load_library()["payslip"], "fr", {"link": "https://x/t/1"})
    assert "payslip" in email.subject


OWN_TEMPLATE = {
    "key": "own",
    "landing": "credential",
    "difficulty": 2,
    "en": {
        "name": "n",
        "from_name": "f",
        "subject": "s",
        "body": "Go [here]({{link}})",
        "landing_title": "t",
        "landing_intro": "i",
    },
}


def test_it_names_the_field_that_is_wrong_in_an_org_template():
    good = OWN_TEMPLATE
    assert template_from_dict(good, "org template 'own'").kind == "phishing"
    bad_placeholder = {**good, "en": {**good["en"], "subject": "Hi {{password}}"}}
    with pytest.raises(
        TemplateError, match=r"org template 'own' en.subject: unknown placeholder \{\{password\}\}"
    ):
        template_from_dict(bad_placeholder, "org template 'own'")
    no_link = {**good, "en": {**good["en"], "body": "no link"}}
    with pytest.raises(TemplateError, match="en.body: needs a {{link}} placeholder"):
        template_from_dict(no_link, "org template 'own'")
    with pytest.raises(TemplateError, match="landing 'exe'"):
        template_from_dict({**good, "landing": "exe"}, "x")
    with pytest.raises(TemplateError, match="missing field 'difficulty'"):
        template_from_dict({k: v for k, v in good.items() if k != "difficulty"}, "x")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("difficulty", [2], "difficulty must be 1, 2 or 3"),
        ("red_flags", 5, "red_flags must be a list"),
        ("red_flags", ["code"], r"red_flags\[0\]: expected a mapping"),
    ],
)
def test_a_template_of_the_wrong_shape_is_a_template_error_not_a_crash(field, value, message):
    # Organisations write templates as YAML on a page: a wrong shape must come back as the
    # page's error message, not a TypeError (a 500).
    with pytest.raises(TemplateError, match=message):
        template_from_dict({**OWN_TEMPLATE, field: value}, "x")


def test_the_clipboard_holds_only_an_inert_link_to_our_server():
    token = new_token()
    payload = clipboard_payload("https://sim.example/", token, "clickfix", "en")
    assert payload.url == f"https://sim.example/s/{token}"
    decoy = f"I am not a robot - Verification ID {verification_id(token)}"
    assert payload.text == f"https://sim.example/s/{token}#  {decoy}"
    assert "\n" not in payload.text
    for word in ("powershell", "cmd", "mshta", "curl", "&&", "|"):
        assert word not in payload.text.lower()
    assert find_tokens(payload.text) == [token]
    filefix = clipboard_payload("https://sim.example", token, "filefix", "es")
    assert filefix.text.startswith(f"https://sim.example/s/{token}#  C:\\Users\\Public\\")


def test_the_lessons_exist_in_both_languages():
    for kind in ("phishing", "clickfix"):
        for language in ("en", "es"):
            assert len(lesson(kind, language)["tips"]) >= 3
    assert lesson("clickfix", "es")["title"].startswith("Esto ha sido")
