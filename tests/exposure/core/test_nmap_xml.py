import pytest

from clinicshield.exposure.core.nmap_xml import NmapXmlError, parse_nmap_xml

SAMPLE = """<?xml version="1.0"?>
<nmaprun scanner="nmap" args="nmap -sT -oX out.xml 10.0.0.0/29" startstr="Thu Nov 26 07:00:00 2026">
<host><status state="up"/><address addr="10.0.0.5" addrtype="ipv4"/>
<address addr="52:54:00:12:34:56" addrtype="mac"/>
<ports>
<port protocol="tcp" portid="22"><state state="open"/>
<service name="ssh" product="OpenSSH" version="8.9p1"/></port>
<port protocol="tcp" portid="23"><state state="closed"/><service name="telnet"/></port>
<port protocol="tcp" portid="445"><state state="filtered"/></port>
<port protocol="tcp" portid="104"><state state="open"/><service name="dicom"/></port>
</ports></host>
<host><status state="down"/><address addr="10.0.0.6" addrtype="ipv4"/></host>
</nmaprun>
"""


def test_it_reads_up_hosts_and_open_ports_with_services() -> None:
    observation = parse_nmap_xml(SAMPLE)
    assert observation.hosts_up == ["10.0.0.5"]
    assert [(p.address, p.port, p.service, p.product) for p in observation.open_ports] == [
        ("10.0.0.5", 22, "ssh", "OpenSSH 8.9p1"),
        ("10.0.0.5", 104, "dicom", ""),
    ]
    assert observation.arguments.startswith("nmap -sT")


def test_it_says_where_broken_xml_breaks() -> None:
    with pytest.raises(NmapXmlError, match="scan.xml: line 3"):
        parse_nmap_xml('<?xml version="1.0"?>\n<nmaprun>\n<host></nmaprun>', "scan.xml")


def test_it_refuses_xml_that_is_not_from_nmap() -> None:
    with pytest.raises(NmapXmlError, match="<html>"):
        parse_nmap_xml("<html><body/></html>")


def test_it_refuses_entity_expansion() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>'
    with pytest.raises(NmapXmlError, match="unsafe"):
        parse_nmap_xml(bomb)
