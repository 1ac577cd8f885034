# ruff: noqa: E501 - one translation per line reads best
"""Write the Spanish translations of the exposure app into its catalogue.

Run from clinicshield/exposure after `makemessages -l es`:
    python locale/fill_es.py && django-admin compilemessages
The translations live here so that regenerating the catalogue never loses them; the
script names any string still untranslated.
"""

import re
import sys
from pathlib import Path

ES = {
    "New open port %(port)s/%(proto)s (%(service)s) on %(address)s in the %(zone)s zone; it was not open in the previous scan of this network.": "Nuevo puerto abierto %(port)s/%(proto)s (%(service)s) en %(address)s, zona %(zone)s; no estaba abierto en el escaneo anterior de esta red.",
    "%(target)s is not inside any network registered for this organisation; register it first (clinicshield networks add).": "%(target)s no está en ninguna red registrada de esta organización; regístrela primero (clinicshield networks add).",
    "%(target)s is not an IP address, a CIDR block or a range like 10.0.0.5-20.": "%(target)s no es una dirección IP, un bloque CIDR ni un rango como 10.0.0.5-20.",
    "Too many addresses in one scan (at %(target)s); scan at most a /16.": "Demasiadas direcciones en un escaneo (en %(target)s); escanee como mucho un /16.",
    "This organisation has no registered networks; nothing may be scanned.": "Esta organización no tiene redes registradas; no se puede escanear nada.",
    "Bad --ports value: %(why)s": "Valor de --ports no válido: %(why)s",
    "Unknown zone %(zone)s; use one of %(choices)s.": "Zona desconocida %(zone)s; use una de %(choices)s.",
    "%(cidr)s is not a CIDR block such as 10.1.2.0/24.": "%(cidr)s no es un bloque CIDR como 10.1.2.0/24.",
    "%(cidr)s is wider than a /16.": "%(cidr)s es más amplio que un /16.",
    "%(cidr)s is registered already.": "%(cidr)s ya está registrada.",
    "The policy is not valid: %(why)s": "La política no es válida: %(why)s",
    "This organisation has no segmentation policy yet.": "Esta organización aún no tiene política de segmentación.",
    "The policy points at %(target)s, which is not in a registered network.": "La política apunta a %(target)s, que no está en una red registrada.",
    "This token's role may not start scans.": "El rol de este token no permite lanzar escaneos.",
    "Site": "Sede",
    "Zone": "Zona",
    "Network (CIDR)": "Red (CIDR)",
    "For example 10.1.20.0/24": "Por ejemplo 10.1.20.0/24",
    "Ports for scheduled scans": "Puertos de los escaneos programados",
    "clinic, top1000, top100, all, or 22,80,8000-8100": "clinic, top1000, top100, all o 22,80,8000-8100",
    "Targets": "Objetivos",
    "Addresses, CIDR blocks or ranges inside your networks": "Direcciones, bloques CIDR o rangos dentro de sus redes",
    "Ports": "Puertos",
    "Segmentation policy (YAML)": "Política de segmentación (YAML)",
    "nmap XML file (nmap -oX)": "Fichero XML de nmap (nmap -oX)",
    "Clinical": "Clínica",
    "Laboratory": "Laboratorio",
    "Administration": "Administración",
    "Guest Wi-Fi": "Wi-Fi de invitados",
    "Servers": "Servidores",
    "Medical devices": "Equipos médicos",
    "Information": "Información",
    "Low": "Baja",
    "Medium": "Media",
    "High": "Alta",
    "Critical": "Crítica",
    "zone": "zona",
    "CIDR": "CIDR",
    "ports for scheduled scans": "puertos de los escaneos programados",
    "scan every (days, 0 = never)": "escanear cada (días, 0 = nunca)",
    "Queued": "En cola",
    "Running": "En curso",
    "Done": "Terminado",
    "Failed": "Fallido",
    "ClinicShield scanner": "Escáner de ClinicShield",
    "nmap run": "Ejecución de nmap",
    "nmap XML import": "Importación de XML de nmap",
    "targets": "objetivos",
    "ports": "puertos",
    "run from zone": "lanzado desde la zona",
    "New": "Nuevo",
    "Unchanged": "Sin cambios",
    "New open port": "Nuevo puerto abierto",
    "Port closed": "Puerto cerrado",
    "New host": "Nuevo equipo",
    "Host gone": "Equipo desaparecido",
    "Service changed": "Servicio cambiado",
    "policy (YAML)": "política (YAML)",
    "expected in this zone": "esperado en esta zona",
    "critical in, or reachable from, this zone": "crítico en esta zona o accesible desde ella",
    "should not be open here": "no debería estar abierto aquí",
    "not in the knowledge base: check what it is": "no está en la base de conocimiento: compruebe qué es",
    "the DICOM service accepts any caller": "el servicio DICOM acepta a cualquier llamante",
    "answers a default SNMP community": "responde a una comunidad SNMP por defecto",
    "Allowed and reachable": "Permitido y accesible",
    "Blocked, as the policy says": "Bloqueado, como dice la política",
    "Violated": "Incumplido",
    "Inconclusive (the positive control failed)": "No concluyente (falló el control positivo)",
    "Rule not tested yet": "Regla aún sin probar",
    "No rule": "Sin regla",
    "a host answered where the policy says it must be blocked": "un equipo respondió donde la política exige bloqueo",
    "nothing answered, and the positive control was reached": "nada respondió y el control positivo sí se alcanzó",
    "the positive control was not reached: the probe proves nothing": "no se alcanzó el control positivo: la prueba no demuestra nada",
    "no positive control for this zone: add one to the policy": "no hay control positivo para esta zona: añada uno a la política",
    "no known host in the destination zone: scan it or list targets": "no se conoce ningún equipo en la zona de destino: escanéela o indique objetivos",
    "blocked although the policy allows it": "bloqueado aunque la política lo permite",
    "reached, as the policy allows": "accesible, como permite la política",
    "An open port we have no clinic-specific knowledge about.": "Un puerto abierto del que no tenemos conocimiento específico para clínicas.",
    "Find out which program listens here; close it if nobody needs it.": "Averigüe qué programa escucha aquí; ciérrelo si nadie lo necesita.",
    "%(address)s: port %(port)s/%(proto)s is newly open %(after)s": "%(address)s: el puerto %(port)s/%(proto)s está abierto desde ahora %(after)s",
    "%(address)s: port %(port)s/%(proto)s is no longer open": "%(address)s: el puerto %(port)s/%(proto)s ya no está abierto",
    "%(address)s appeared on the network": "%(address)s ha aparecido en la red",
    "%(address)s no longer answers": "%(address)s ya no responde",
    "%(address)s: port %(port)s changed from %(before)s to %(after)s": "%(address)s: el puerto %(port)s cambió de %(before)s a %(after)s",
    "Host": "Equipo",
    "Port": "Puerto",
    "Service": "Servicio",
    "Why": "Por qué",
    "What to do": "Qué hacer",
    "Change": "Cambio",
    "new": "nuevo",
    "No open ports found.": "No se encontraron puertos abiertos.",
    "Overview": "Resumen",
    "Segmentation": "Segmentación",
    "Open now": "Abierto ahora",
    "Risk": "Riesgo",
    "Nothing open in the latest scan.": "Nada abierto en el último escaneo.",
    "History": "Historial",
    "No changes recorded.": "No hay cambios registrados.",
    "Exposure": "Exposición",
    "Register your networks first": "Registre primero sus redes",
    "Scans only ever target networks registered here: add each site's networks with their zone (clinical, lab, guest Wi-Fi...).": "Los escaneos solo se dirigen a redes registradas aquí: añada las redes de cada sede con su zona (clínica, laboratorio, Wi-Fi de invitados...).",
    "Findings by risk": "Hallazgos por riesgo",
    "From the latest scan of each network.": "Del último escaneo de cada red.",
    "What changed": "Qué ha cambiado",
    "No changes yet: drift appears from the second scan of a network.": "Aún no hay cambios: aparecen a partir del segundo escaneo de una red.",
    "Scans": "Escaneos",
    "Network": "Red",
    "Source": "Origen",
    "Status": "Estado",
    "Hosts up": "Equipos activos",
    "Started": "Inicio",
    "No scans yet.": "Aún no hay escaneos.",
    "Networks": "Redes",
    "Scheduled": "Programado",
    "never": "nunca",
    "Remove": "Quitar",
    "No networks registered.": "No hay redes registradas.",
    "Register a network": "Registrar una red",
    "Register": "Registrar",
    "Scan now": "Escanear ahora",
    "Scan": "Escanear",
    "Import nmap results": "Importar resultados de nmap",
    "Import": "Importar",
    "Scan %(number)s": "Escaneo %(number)s",
    "Scan %(number)s of %(cidr)s": "Escaneo %(number)s de %(cidr)s",
    "Changes since the previous scan": "Cambios desde el escaneo anterior",
    "Which zone may reach which. Run clinicshield probe --org ORG --zone ZONE on a machine in each zone to test the rules from there.": "Qué zona puede llegar a cuál. Ejecute clinicshield probe --org ORG --zone ZONA en un equipo de cada zona para probar las reglas desde allí.",
    "Zone by zone matrix: allowed, blocked and violated paths": "Matriz zona por zona: caminos permitidos, bloqueados e incumplidos",
    "Rows: from. Columns: to.": "Filas: origen. Columnas: destino.",
    "Latest probe runs": "Últimas pruebas",
    "From %(zone)s": "Desde %(zone)s",
    "No probe has run yet.": "Aún no se ha hecho ninguna prueba.",
    "Policy": "Política",
    "Save policy": "Guardar política",
    "Network registered.": "Red registrada.",
    "Please fill in site, zone and network.": "Indique sede, zona y red.",
    "Network removed.": "Red quitada.",
    "Give the targets and ports to scan.": "Indique los objetivos y puertos que escanear.",
    "Choose an nmap XML file.": "Elija un fichero XML de nmap.",
    "%(count)s host(s) outside your registered networks were ignored.": "Se ignoraron %(count)s equipo(s) fuera de sus redes registradas.",
    "from": "desde",
    "to": "hacia",
    "Only IT and owners may change the policy.": "Solo IT y los propietarios pueden cambiar la política.",
    "Policy saved.": "Política guardada.",
    "Unknown probe states: %(states)s": "Estados de prueba desconocidos: %(states)s",
}
PLURALS = {
    "%(counter)s open port": ("%(counter)s puerto abierto", "%(counter)s puertos abiertos"),
    "every day": ("cada día", "cada %(days)s días"),
}


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def msgid_of(block: str) -> str:
    match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
    if not match:
        return ""
    raw = "".join(re.findall(r'"(.*)"', match.group(1)))
    return (
        raw.encode("latin-1", "backslashreplace")
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def fill(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    missing = []
    for index, block in enumerate(blocks):
        msgid = msgid_of(block)
        if not msgid:
            continue
        block = re.sub(r"^#, fuzzy\n|, fuzzy", "", block, flags=re.M)
        block = re.sub(r"^#\| .*\n?", "", block, flags=re.M)
        if msgid in PLURALS:
            one, many = PLURALS[msgid]
            block = re.sub(r'msgstr\[0\] (?:".*"\n?)+', f"msgstr[0] {quoted(one)}\n", block)
            block = re.sub(r'msgstr\[1\] (?:".*"\n?)+', f"msgstr[1] {quoted(many)}\n", block)
            block = re.sub(r'msgstr\[2\] (?:".*"\n?)+', f"msgstr[2] {quoted(many)}\n", block)
        elif msgid in ES:
            block = re.sub(r'msgstr (?:".*"\n?)+', f"msgstr {quoted(ES[msgid])}", block)
        else:
            missing.append(msgid)
        blocks[index] = block.rstrip("\n")
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    catalogue = Path(__file__).parent / "es" / "LC_MESSAGES" / "django.po"
    untranslated = fill(catalogue)
    for msgid in untranslated:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    raise SystemExit(1 if untranslated else 0)
