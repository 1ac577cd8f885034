from email import message_from_bytes
from email.policy import default

from clinicshield.simulations.core.mime import build_message, encode_header


def build(**overrides):
    values = dict(
        from_name="Nóminas – Clínica Sol",
        from_address="nominas@sim.example",
        to_address="ana@clinic.example",
        subject="Ya tiene disponible su nómina de este mes (incluye una regularización) " * 2,
        message_id="<abc@sim.example>",
        text="Hola, Ana:\n\nVer mi nómina: https://x/t/abc\n",
        html='<p>Hola, Ana:</p><p><a href="https://x/t/abc">Ver mi nómina</a></p>',
    )
    values.update(overrides)
    return build_message(**values)


def test_it_builds_a_message_the_standard_library_reads_back():
    message = message_from_bytes(build(), policy=default)
    assert message["From"].addresses[0].display_name == "Nóminas – Clínica Sol"
    assert message["From"].addresses[0].addr_spec == "nominas@sim.example"
    assert str(message["Subject"]).startswith("Ya tiene disponible su nómina")
    assert message["Message-ID"] == "<abc@sim.example>"
    assert (
        message.get_body(("plain",)).get_content()
        == "Hola, Ana:\n\nVer mi nómina: https://x/t/abc\n"
    )
    assert 'href="https://x/t/abc"' in message.get_body(("html",)).get_content()


def test_its_lines_stay_within_the_smtp_limit():
    raw = build(text="x" * 5000, html="é" * 3000)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_a_name_cannot_inject_headers():
    raw = build(from_name="Ana\r\nBcc: victim@example.com", subject="Hi\nX-Evil: 1")
    message = message_from_bytes(raw, policy=default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert encode_header("plain ascii") == "plain ascii"
