"""What the alert pages say: one option per kind, every word in the reader's language,
opening hours of several sites told once per weekday."""

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.test import Client

from clinicshield.accounts.models import Organisation, Site
from clinicshield.exposure.actions.alerts import raise_new_port_alert
from clinicshield.monitoring.actions import do_raise_alert
from clinicshield.monitoring.core.detectors.context import opening_ranges
from clinicshield.monitoring.core.explain import summarize_opening_hours
from clinicshield.monitoring.queries.detection import opening_hours

from .conftest import at, signin, write_events

NOW = at("2025-02-02 06:00")


def _raise(org: Organisation, kind: str, n: int, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "kind": kind,
        "severity": "medium",
        "key": f"{kind}:{n}",
        "explanation": f"{kind} number {n}",
        "ts": NOW - timedelta(hours=n),
    }
    values.update(extra)
    return do_raise_alert(org, **values)


def _spanish(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    return client


def _kind_options(page: str) -> list[str]:
    select = re.search(r'<select name="kind">(.*?)</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_the_kind_filter_offers_each_kind_once(client_alice: Client, org_a: Organisation) -> None:
    # Several alerts of one kind, seen at different times: each kind is still one option.
    for n in range(3):
        _raise(org_a, "new_country", n)
        _raise(org_a, "exposure.new_port", n)
    _raise(org_a, "off_hours", 9)
    url = f"/o/{org_a.slug}/monitoring/alerts/"
    english = client_alice.get(url).content.decode()
    assert _kind_options(english) == ["", "exposure.new_port", "new_country", "off_hours"]
    spanish = _spanish(client_alice).get(url).content.decode()
    assert _kind_options(spanish) == ["", "exposure.new_port", "new_country", "off_hours"]


def test_an_open_alert_reads_abierta_in_spanish(client_alice: Client, org_a: Organisation) -> None:
    alert = _raise(org_a, "new_country", 1)
    _spanish(client_alice)
    listing = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/").content.decode()
    row = re.search(r"<tbody>(.*?)</tbody>", listing, re.S)
    assert row is not None and "<td>Abierta</td>" in row.group(1)
    assert ">Abierta</option>" in listing and "Abierto" not in listing
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/").content.decode()
    assert "<dd>Abierta</dd>" in page and "Abierto" not in page


def test_the_events_of_an_alert_are_labelled_in_spanish(
    client_alice: Client, org_a: Organisation
) -> None:
    write_events(
        settings.DATA_DIR,
        "auth",
        [signin(NOW, "ana", outcome="failure", src_ip="41.1.1.1", record_ref="line 7")],
        org=org_a.slug,
    )
    alert = _raise(org_a, "brute_force", 0, user="ana", evidence={"record_refs": ["line 7"]})
    url = f"/o/{org_a.slug}/monitoring/alerts/{alert.pk}/"
    english = client_alice.get(url).content.decode()
    assert "<th>Outcome</th>" in english and "<td>failure</td>" not in english
    assert "<td>Failure</td>" in english and "<td>Interactive</td>" in english
    spanish = _spanish(client_alice).get(url).content.decode()
    headers = re.findall(r"<th>([^<]*)</th>", spanish)
    assert headers[:4] == ["Hora", "Usuario", "Resultado", "Tipo de inicio de sesión"]
    assert "<td>Fallido</td>" in spanish and "<td>Interactivo</td>" in spanish
    assert "<td>línea 7</td>" in spanish
    for english_word in ("<th>ts</th>", "<th>user</th>", "failure", "interactive", "line 7"):
        assert english_word not in spanish


def test_the_service_account_sentence_names_the_logon_type_in_spanish(
    client_alice: Client, org_a: Organisation
) -> None:
    _raise(
        org_a,
        "service_account_interactive",
        0,
        explanation={
            "code": "service_account_interactive",
            "params": {"user": "svc_backup", "host": "dc01", "logon_type": "remote_interactive"},
        },
    )
    url = f"/o/{org_a.slug}/monitoring/alerts/"
    english = client_alice.get(url).content.decode()
    assert "signed in interactively (remote interactive) on dc01" in english
    spanish = _spanish(client_alice).get(url).content.decode()
    assert "(interactivo remoto) en dc01" in spanish
    assert "remote_interactive" not in spanish


def test_an_exposure_alert_reads_in_spanish(client_alice: Client, org_a: Organisation) -> None:
    finding = SimpleNamespace(
        port=3389,
        proto="tcp",
        service="ms-wbt-server",
        address="10.0.0.5",
        severity="high",
        scan_id=1,
    )
    assert raise_new_port_alert(org_a, finding, "clinical")
    url = f"/o/{org_a.slug}/monitoring/alerts/"
    english = client_alice.get(url).content.decode()
    assert "New open port 3389/tcp" in english
    spanish = _spanish(client_alice).get(url).content.decode()
    assert "Nuevo puerto abierto 3389/tcp" in spanish and "on 10.0.0.5" not in spanish
    # The kind is named too, in the filter and in the "What" column.
    assert '<option value="exposure.new_port">Nuevo puerto abierto</option>' in spanish
    assert ">Nuevo puerto abierto</a>" in spanish and "exposure: new port" not in spanish


def test_opening_hours_of_several_sites_are_merged_per_weekday(
    client_alice: Client, org_a: Organisation
) -> None:
    weekdays = [str(d) for d in range(5)]
    Site.objects.create(
        organisation=org_a, name="Centro", opening_hours={d: [["08:00", "15:00"]] for d in weekdays}
    )
    Site.objects.create(
        organisation=org_a,
        name="Norte",
        opening_hours={**{d: [["08:00", "20:00"]] for d in weekdays}, "5": [["09:00", "13:00"]]},
    )
    Site.objects.create(
        organisation=org_a,
        name="Sur",
        opening_hours={"5": [["12:00", "14:00"]], "6": [["10:00", "12:00"], ["17:00", "19:00"]]},
    )
    opening = summarize_opening_hours(opening_ranges(opening_hours(org_a)))
    _raise(
        org_a,
        "off_hours",
        0,
        explanation={
            "code": "off_hours.opening_hours",
            "params": {"user": "ana", "time": "03:12", "weekday": 6, "opening": opening},
        },
    )
    text = client_alice.get(f"/o/{org_a.slug}/monitoring/alerts/").content.decode()
    assert (
        "outside opening hours (08:00–20:00 on weekdays; 09:00–14:00 on Saturday; "
        "10:00–12:00 on Sunday; 17:00–19:00 on Sunday)"
    ) in text
    assert "08:00–15:00" not in text
