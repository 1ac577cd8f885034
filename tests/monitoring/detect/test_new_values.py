from datetime import timedelta

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.unusual_access import detect_new_values

from .conftest import at, daily, signin

START = at("2025-02-01 00:00")
HOME = {"src_country": "ES", "src_asn": 3352, "src_asn_org": "Telefonica", "device": "WS-ANA"}


def history(user: str = "ana") -> list[dict]:
    return [
        signin(ts, user, src_ip="83.40.1.1", **HOME) for ts in daily(at("2025-01-01 00:00"), 31, 9)
    ]


def ctx() -> DetectionContext:
    return DetectionContext(start=START, end=START + timedelta(days=2))


def test_it_flags_the_first_signin_from_a_new_country(store, con):
    store(
        "auth",
        history()
        + [
            signin(
                at("2025-02-01 10:00"), "ana", src_ip="41.1.1.1", src_country="NG", src_city="Lagos"
            )
        ],
    )
    findings = detect_new_values(con, store.table("auth"), ctx(), "new_country")
    assert [
        (f.user, f.params["country"], f.params["known"], f.params["city"]) for f in findings
    ] == [("ana", "NG", ["ES"], "Lagos")]
    assert findings[0].key == "new_country:ana:NG"


def test_it_stays_quiet_for_a_known_country_and_for_internal_addresses(store, con):
    window = [
        signin(at("2025-02-01 10:00"), "ana", **HOME),
        signin(at("2025-02-01 11:00"), "ana", src_country="internal", src_ip="10.0.0.9"),
    ]
    store("auth", history() + window)
    assert detect_new_values(con, store.table("auth"), ctx(), "new_country") == []


def test_it_waits_for_the_learning_period_before_calling_anything_new(store, con):
    short = [signin(at("2025-01-29 09:00"), "bob", src_country="ES")]
    store("auth", short + [signin(at("2025-02-01 10:00"), "bob", src_country="NG")])
    assert detect_new_values(con, store.table("auth"), ctx(), "new_country") == []


def test_it_groups_repeated_signins_from_a_new_network_into_one_finding(store, con):
    window = [
        signin(
            at(f"2025-02-01 1{n}:00"), "ana", src_asn=16509, src_asn_org="Amazon", src_ip="3.3.3.3"
        )
        for n in range(3)
    ]
    store("auth", history() + window)
    findings = detect_new_values(con, store.table("auth"), ctx(), "new_asn")
    assert [(f.params["network"], f.params["asn"], f.count) for f in findings] == [
        ("Amazon", 16509, 3)
    ]
    assert findings[0].params["known"] == ["Telefonica"]


def test_a_new_network_is_found_by_name_when_the_data_has_no_as_numbers(store, con):
    # The data shipped with the product names networks (geoip2fast) but has no numbers.
    unnumbered = {**HOME, "src_asn": None}
    signins = [signin(ts, "ana", **unnumbered) for ts in daily(at("2025-01-01 00:00"), 31, 9)]
    window = [signin(at("2025-02-01 10:00"), "ana", **{**unnumbered, "src_asn_org": "OVH SAS"})]
    store("auth", signins + window)
    findings = detect_new_values(con, store.table("auth"), ctx(), "new_asn")
    assert [(f.params["network"], f.params["asn"], f.params["known"]) for f in findings] == [
        ("OVH SAS", None, ["Telefonica"])
    ]


def test_it_flags_a_new_device(store, con):
    store("auth", history() + [signin(at("2025-02-01 10:00"), "ana", device="KALI-LAPTOP")])
    findings = detect_new_values(con, store.table("auth"), ctx(), "new_device")
    assert [(f.params["device"], f.params["known"]) for f in findings] == [
        ("KALI-LAPTOP", ["WS-ANA"])
    ]


def test_a_browser_update_is_not_a_new_device(store, con):
    history = [
        signin(ts, "ana", device="Chrome 131.0.6778 / Windows10")
        for ts in daily(at("2025-01-01 00:00"), 31, 9)
    ]
    window = [
        signin(at("2025-02-01 10:00"), "ana", device="Chrome 132.0.6834 / Windows10"),
        signin(at("2025-02-01 11:00"), "ana", device="Firefox 134.0 / Linux"),
    ]
    store("auth", history + window)
    findings = detect_new_values(con, store.table("auth"), ctx(), "new_device")
    assert [(f.params["device"], f.params["known"]) for f in findings] == [
        ("Firefox / Linux", ["Chrome / Windows10"])
    ]
    assert findings[0].evidence["device"] == "Firefox 134.0 / Linux"


def test_the_sentence_names_the_network_and_alerts_raised_before_still_read():
    from django.utils import translation

    from clinicshield.monitoring.words import render

    new = {"user": "ana", "network": "OVH SAS", "asn": 16276, "known": ["Telefonica"]}
    old = {"user": "ana", "asn": 16276, "asn_org": "OVH SAS", "known": [3352]}
    with translation.override("en"):
        assert render("new_asn", new) == (
            "ana signed in from the network OVH SAS (AS16276) for the first time; "
            "before, only from Telefonica."
        )
        assert render("new_asn", old) == (
            "ana signed in from the network AS16276 OVH SAS for the first time; "
            "before, only from AS3352."
        )
