# ruff: noqa: E501 - one translation per line reads best
"""Fill the Spanish catalogue with the detection side's strings (alerts, explanations, pages).

Run from clinicshield/monitoring after `makemessages -l es`:
`python locale/fill_es_detections.py && django-admin compilemessages`.
Only the msgids listed here are touched, so the ingestion side can keep its own filler.
"""

from pathlib import Path

import polib

ES = {
    "[ClinicShield] %(severity)s alert: %(title)s": "[ClinicShield] Alerta %(severity)s: %(title)s",
    "This alert is already %(status)s.": "Esta alerta ya está en estado «%(status)s».",
    "Low": "Baja",
    "Medium": "Media",
    "High": "Alta",
    "Critical": "Crítica",
    "Open": "Abierta",
    "Acknowledged": "Reconocida",
    "Resolved": "Resuelta",
    "False positive": "Falso positivo",
    "kind": "tipo",
    "severity": "gravedad",
    "user": "usuario",
    "source address": "dirección de origen",
    "host": "equipo",
    "first seen": "vista por primera vez",
    "last seen": "vista por última vez",
    "count": "veces",
    "status": "estado",
    "account name": "nombre de la cuenta",
    "note": "nota",
    "Marked as a false positive: the same pattern will not raise an alert again.": "Marcada como falso positivo: el mismo patrón no volverá a generar una alerta.",
    "%(day)s %(hour)02d:00 — %(count)s sign-ins": "%(day)s %(hour)02d:00 — %(count)s inicios de sesión",
    "Monday": "lunes",
    "Tuesday": "martes",
    "Wednesday": "miércoles",
    "Thursday": "jueves",
    "Friday": "viernes",
    "Saturday": "sábado",
    "Sunday": "domingo",
    "Sign-in at an unusual hour": "Inicio de sesión a una hora inusual",
    "Sign-in from a new country": "Inicio de sesión desde un país nuevo",
    "Sign-in from a new network": "Inicio de sesión desde una red nueva",
    "Sign-in from a new device": "Inicio de sesión desde un dispositivo nuevo",
    "Impossible travel": "Viaje imposible",
    "Password guessing": "Adivinación de contraseñas",
    "Password spray": "Rociado de contraseñas",
    "Sign-in after a password spray": "Inicio de sesión tras un rociado de contraseñas",
    "Service account used by a person": "Cuenta de servicio usada por una persona",
    "ClickFix command": "Comando ClickFix",
    "Sigma rule match": "Coincidencia de regla Sigma",
    "Data leaving the network": "Datos saliendo de la red",
    "%(start)s–%(end)s on weekdays": "de %(start)s a %(end)s entre semana",
    "%(start)s–%(end)s at weekends": "de %(start)s a %(end)s los fines de semana",
    "%(start)s–%(end)s every day": "de %(start)s a %(end)s todos los días",
    "%(start)s–%(end)s on %(days)s": "de %(start)s a %(end)s los %(days)s",
    "; ": "; ",
    "never at this time": "nunca a esta hora",
    "%(user)s signed in at %(time)s on %(weekday)s; they usually sign in %(usual)s.": "%(user)s inició sesión a las %(time)s del %(weekday)s; suele iniciarla %(usual)s.",
    "%(user)s signed in at %(time)s on %(weekday)s, outside opening hours (%(opening)s); their own habits are still being learned.": "%(user)s inició sesión a las %(time)s del %(weekday)s, fuera del horario de apertura (%(opening)s); aún se están aprendiendo sus hábitos.",
    "%(user)s signed in from %(place)s for the first time; before, only from %(known)s.": "%(user)s inició sesión desde %(place)s por primera vez; antes, solo desde %(known)s.",
    "%(user)s signed in from the network %(network)s for the first time; before, only from %(known)s.": "%(user)s inició sesión desde la red %(network)s por primera vez; antes, solo desde %(known)s.",
    "%(user)s signed in from the device %(device)s for the first time; known devices: %(known)s.": "%(user)s inició sesión desde el dispositivo %(device)s por primera vez; dispositivos conocidos: %(known)s.",
    "%(user)s signed in from %(from)s and %(minutes)s minutes later from %(to)s, %(distance)s km away: that would take %(speed)s km/h.": "%(user)s inició sesión desde %(from)s y %(minutes)s minutos después desde %(to)s, a %(distance)s km: habría que viajar a %(speed)s km/h.",
    "%(failures)s failed sign-ins for %(user)s within %(minutes)s minutes, from %(sources)s address(es).": "%(failures)s inicios de sesión fallidos de %(user)s en %(minutes)s minutos, desde %(sources)s dirección(es).",
    "%(failures)s failed sign-ins from %(src_ip)s within %(minutes)s minutes, against %(users)s account(s).": "%(failures)s inicios de sesión fallidos desde %(src_ip)s en %(minutes)s minutos, contra %(users)s cuenta(s).",
    "%(src_ip)s tried passwords on %(users)s different accounts (%(failures)s failures): a password spray.": "%(src_ip)s probó contraseñas en %(users)s cuentas distintas (%(failures)s fallos): un rociado de contraseñas.",
    "%(src_ip)s signed in as %(user)s after trying passwords on %(sprayed_users)s accounts: that password is probably known to an attacker.": "%(src_ip)s inició sesión como %(user)s tras probar contraseñas en %(sprayed_users)s cuentas: probablemente un atacante conoce esa contraseña.",
    "The service account %(user)s signed in interactively (%(logon_type)s) on %(host)s; it should only be used by software.": "La cuenta de servicio %(user)s inició sesión de forma interactiva (%(logon_type)s) en %(host)s; solo debería usarla el software.",
    "A command typical of a ClickFix lure ran on %(host)s as %(user)s: “%(command_line)s” (rule: %(rule_title)s).": "Se ejecutó en %(host)s como %(user)s un comando típico de un engaño ClickFix: «%(command_line)s» (regla: %(rule_title)s).",
    "The Sigma rule “%(rule_title)s” matched on %(host)s as %(user)s: “%(command_line)s”.": "La regla Sigma «%(rule_title)s» coincidió en %(host)s como %(user)s: «%(command_line)s».",
    "%(host)s sent %(bytes)s to %(destination)s on %(day)s; it usually sends %(usual)s a day in all.": "%(host)s envió %(bytes)s a %(destination)s el %(day)s; normalmente envía %(usual)s al día en total.",
    "%(host)s sent %(bytes)s to %(destination)s over the last %(days)s days (on %(active_days)s of them); in the same time before, it sent %(usual)s there.": "%(host)s envió %(bytes)s a %(destination)s en los últimos %(days)s días (en %(active_days)s de ellos); en el mismo tiempo anterior envió allí %(usual)s.",
    "Unusual activity (%(code)s).": "Actividad inusual (%(code)s).",
    "All alerts": "Todas las alertas",
    "Status": "Estado",
    "User": "Usuario",
    "Source address": "Dirección de origen",
    "Host": "Equipo",
    "First seen": "Vista por primera vez",
    "Last seen": "Vista por última vez",
    "Count": "Veces",
    "Rules that matched": "Reglas que coincidieron",
    "Acknowledge": "Reconocer",
    "Resolve": "Resolver",
    "Why is it harmless?": "¿Por qué es inofensiva?",
    "Reopen": "Reabrir",
    "The events behind it": "Los eventos que la originan",
    "The events are no longer in the event store (or were never stored here).": "Los eventos ya no están en el almacén de eventos (o nunca se guardaron aquí).",
    "Alerts": "Alertas",
    "Filter alerts": "Filtrar alertas",
    "Open or acknowledged": "Abiertas o reconocidas",
    "All": "Todas",
    "Kind": "Tipo",
    "Any": "Cualquiera",
    "At least": "Como mínimo",
    "Filter": "Filtrar",
    "Severity": "Gravedad",
    "What": "Qué",
    "Explanation": "Explicación",
    "No alerts match.": "Ninguna alerta coincide.",
    "New %(severity)s alert for %(org)s: %(title)s": "Nueva alerta (%(severity)s) para %(org)s: %(title)s",
    "Access profile of %(account)s": "Perfil de acceso de %(account)s",
    "Their usual hours are learned.": "Su horario habitual ya está aprendido.",
    "Still learning their usual hours: the site's opening hours apply meanwhile.": "Aún se está aprendiendo su horario habitual: mientras, se aplica el horario de apertura del centro.",
    "Marked as a service account.": "Marcada como cuenta de servicio.",
    "Usual hours (%(timezone)s)": "Horario habitual (%(timezone)s)",
    "Sign-ins by weekday and hour": "Inicios de sesión por día de la semana y hora",
    "Countries": "Países",
    "None known": "Ninguno conocido",
    "Networks": "Redes",
    "Devices": "Dispositivos",
    "Hosts": "Equipos",
    "No alerts for this account.": "No hay alertas para esta cuenta.",
    "Unmark as service account": "Desmarcar como cuenta de servicio",
    "Mark as service account": "Marcar como cuenta de servicio",
    "This token's role may not triage alerts.": "El rol de este token no permite gestionar alertas.",
    "Unknown alert action.": "Acción de alerta desconocida.",
    "Incidents are not available.": "Los incidentes no están disponibles.",
    "Incident #%(number)s": "Incidente n.º %(number)s",
    "Open an incident": "Abrir un incidente",
}
PLURALS = {
    "%(signins)s sign-in in the last two months.": (
        "%(signins)s inicio de sesión en los dos últimos meses.",
        "%(signins)s inicios de sesión en los dos últimos meses.",
    ),
}


def main() -> None:
    path = Path(__file__).resolve().parent / "es" / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path))
    for entry in catalogue:
        if entry.msgid in ES:
            entry.msgstr = ES[entry.msgid]
        elif entry.msgid in PLURALS:
            entry.msgstr_plural = dict(enumerate(PLURALS[entry.msgid]))
        else:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.save()


if __name__ == "__main__":
    main()
