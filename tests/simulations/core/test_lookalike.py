import pytest

from clinicshield.simulations.core.lookalike import edit_distance, find_lookalike, registrable

GENUINE = ["clinicasol.es", "medisuministros.com", "hospital.nhs.uk"]


@pytest.mark.parametrize(
    ("sender", "imitates", "technique"),
    [
        ("clinicasoI.es", "clinicasol.es", "glyph_swap"),  # capital i for l
        ("cIinicasol.es", "clinicasol.es", "glyph_swap"),
        ("clinicas0l.es", "clinicasol.es", "glyph_swap"),
        ("clinicasol.com", "clinicasol.es", "other_tld"),
        ("clinicasol-secure.com", "clinicasol.es", "extra_words"),
        ("mail.clinicasol-facturas.es", "clinicasol.es", "extra_words"),
        ("clinicsol.es", "clinicasol.es", "edit_distance"),
        ("medisuministro.com", "medisuministros.com", "edit_distance"),
        ("rnedisuministros.com", "medisuministros.com", "glyph_swap"),
        ("xn--clnicasol-q9a.es", "clinicasol.es", "unicode"),
    ],
)
def test_it_spots_look_alike_domains(sender, imitates, technique):
    match = find_lookalike(sender, GENUINE)
    assert match is not None, sender
    assert (match.imitates, match.technique) == (imitates, technique)


@pytest.mark.parametrize(
    "sender", ["clinicasol.es", "mail.clinicasol.es", "gmail.com", "example.org", "hospital.nhs.uk"]
)
def test_it_leaves_genuine_and_unrelated_domains_alone(sender):
    assert find_lookalike(sender, GENUINE) is None


def test_it_knows_registrable_domains_under_two_label_suffixes():
    assert registrable("a.b.hospital.nhs.uk") == "hospital.nhs.uk"
    assert registrable("www.clinicasol.es") == "clinicasol.es"


def test_edit_distance_counts_transpositions_as_one():
    assert edit_distance("clinica", "clincia") == 1
    assert edit_distance("abc", "abc") == 0
