# ruff: noqa: E501 - one translation per line reads best
"""Fill the Spanish catalogue of the simulations app after `makemessages -l es`.

Run from clinicshield/simulations: `python locale/fill_es.py && django-admin compilemessages`.
Our Spanish strings live here so that a fresh makemessages never loses them.
"""

import re
from pathlib import Path

ES = {
    "There is no template called “%s”.": "No existe ninguna plantilla llamada «%s».",
    "“%s” is the key of a library template.": "«%s» es la clave de una plantilla de la biblioteca.",
    "Targets must be all, site:NAME, dept:NAME or list:EMAILS, not “%s”.": "Los destinatarios deben ser all, site:NOMBRE, dept:NOMBRE o list:CORREOS, no «%s».",
    "Nobody matches the targets “%s”.": "Nadie coincide con los destinatarios «%s».",
    "The base URL must start with http:// or https://.": "La URL base debe empezar por http:// o https://.",
    "This campaign was already launched.": "Esta campaña ya se lanzó.",
    "Well spotted: it was a drill": "Bien visto: era un simulacro",
    "About the email you reported": "Sobre el correo que ha notificado",
    "Click rate and report rate by campaign (%)": "Tasa de clics y tasa de notificación por campaña (%)",
    "clicked": "hicieron clic",
    "reported": "notificaron",
    "a simulation by your clinic": "un simulacro de su centro",
    "likely safe": "probablemente seguro",
    "suspicious": "sospechoso",
    "dangerous": "peligroso",
    "The message carries no authentication results, so its sender is unverified.": "El mensaje no trae resultados de autenticación, así que su remitente no está verificado.",
    "SPF check: %(result)s. The sending server is not allowed to send for this domain.": "Comprobación SPF: %(result)s. El servidor que lo envió no está autorizado a enviar por ese dominio.",
    "DKIM check: %(result)s. The signature does not prove who sent it.": "Comprobación DKIM: %(result)s. La firma no demuestra quién lo envió.",
    "DMARC check: %(result)s. The sender's domain does not vouch for this message.": "Comprobación DMARC: %(result)s. El dominio del remitente no respalda este mensaje.",
    "The sender's domain %(domain)s imitates %(imitates)s, but it is a different domain.": "El dominio del remitente, %(domain)s, imita a %(imitates)s, pero es un dominio distinto.",
    "The name shown contains the address %(shown)s, but the real sender is %(actual)s.": "El nombre visible contiene la dirección %(shown)s, pero el remitente real es %(actual)s.",
    "The name shown, “%(name)s”, borrows a name you know, but the real sender is %(actual)s.": "El nombre visible, «%(name)s», usa un nombre que usted conoce, pero el remitente real es %(actual)s.",
    "Replies would go to %(reply_to)s, not to the sender.": "Las respuestas irían a %(reply_to)s, no al remitente.",
    "A link shows %(shown)s but actually goes to %(target)s.": "Un enlace muestra %(shown)s pero en realidad lleva a %(target)s.",
    "A link goes to a bare IP address (%(target)s).": "Un enlace lleva a una dirección IP (%(target)s).",
    "A link hides its destination behind a shortener (%(target)s).": "Un enlace oculta su destino tras un acortador (%(target)s).",
    "A link uses a disguised international domain (%(target)s).": "Un enlace usa un dominio internacional disfrazado (%(target)s).",
    "A link goes to %(target)s, which imitates %(imitates)s.": "Un enlace lleva a %(target)s, que imita a %(imitates)s.",
    "The attachment %(name)s is a type that can run code.": "El adjunto %(name)s es de un tipo que puede ejecutar código.",
    "The attachment %(name)s hides its real type behind a double extension.": "El adjunto %(name)s esconde su tipo real tras una doble extensión.",
    "The attachment %(name)s is an archive that can hide anything.": "El adjunto %(name)s es un archivo comprimido que puede esconder cualquier cosa.",
    "It tells you to press keys and paste something to “verify” or “fix” a problem: that is how ClickFix attacks run malware.": "Le pide pulsar teclas y pegar algo para «verificar» o «arreglar» un problema: así es como los ataques ClickFix ejecutan programas maliciosos.",
    "Do not reply, click or open anything in this message.": "No responda, no haga clic ni abra nada de este mensaje.",
    "Do not click its links.": "No haga clic en sus enlaces.",
    "Do not open its attachments.": "No abra sus adjuntos.",
    "Never paste anything into Win+R, a terminal or File Explorer.": "No pegue nunca nada en Win+R, en una terminal ni en el Explorador de archivos.",
    "If it asks for something, call the sender on a number you already had.": "Si le pide algo, llame al remitente a un número que ya tuviera.",
    "IT has been told. Delete it once IT confirms.": "Informática ya está avisada. Bórrelo cuando informática lo confirme.",
    "If you already clicked, opened or typed something, tell IT now.": "Si ya hizo clic, abrió o escribió algo, avise ahora a informática.",
    "Leave it alone until IT has looked at it.": "No lo toque hasta que informática lo haya revisado.",
    "We found no warning signs, but stay careful: check any request for money or passwords.": "No hemos encontrado señales de alarma, pero tenga cuidado: compruebe cualquier petición de dinero o de contraseñas.",
    "Name": "Nombre",
    "Template": "Plantilla",
    "Who receives it": "Quién lo recibe",
    "SMTP host": "Servidor SMTP",
    "SMTP port": "Puerto SMTP",
    "From address": "Dirección del remitente",
    "Tracking base URL": "URL base de seguimiento",
    "The address where staff reach this server, e.g. https://drills.clinic.example": "La dirección con la que el personal llega a este servidor, p. ej. https://simulacros.clinica.example",
    "Start": "Inicio",
    "Spread over days": "Repartir en días",
    "At most emails per minute": "Como máximo, correos por minuto",
    "Everyone": "Todo el personal",
    "Site: %s": "Sede: %s",
    "Department: %s": "Departamento: %s",
    "Real phishing": "Phishing real",
    "Harmless": "Inofensivo",
    "Closed": "Cerrado",
    "Phishing": "Phishing",
    "ClickFix": "ClickFix",
    "name": "nombre",
    "username": "usuario",
    "password environment variable": "variable de entorno de la contraseña",
    "STARTTLS": "STARTTLS",
    "parallel connections": "conexiones en paralelo",
    "key": "clave",
    "definition": "definición",
    "Draft": "Borrador",
    "Scheduled": "Programada",
    "Sending": "Enviando",
    "Finished": "Enviada",
    "template": "plantilla",
    "tracking base URL": "URL base de seguimiento",
    "targets": "destinatarios",
    "start": "inicio",
    "spread over days": "repartir en días",
    "emails per minute": "correos por minuto",
    "Pending": "Pendiente",
    "Sent": "Enviados",
    "Failed": "Fallaron",
    "Simulation": "Simulacro",
    "Likely safe": "Probablemente seguro",
    "Suspicious": "Sospechoso",
    "Dangerous": "Peligroso",
    "To triage": "Por revisar",
    "IMAP host": "Servidor IMAP",
    "IMAP port": "Puerto IMAP",
    "IMAPS": "IMAPS",
    "folder": "carpeta",
    "report address": "dirección de notificación",
    "From": "De",
    "Difficulty": "Dificultad",
    "Red flags": "Señales de alarma",
    "Landing page preview": "Vista previa de la página de destino",
    "resilience (reports ÷ failures)": "resiliencia (notificaciones ÷ fallos)",
    "median time to report": "mediana del tiempo hasta notificar",
    "caught by monitoring": "detectados por la monitorización",
    "Not counted (scanners and link checkers):": "No contados (escáneres y comprobadores de enlaces):",
    "By site": "Por sede",
    "Site": "Sede",
    "Reported": "Notificaron",
    "By department": "Por departamento",
    "Department": "Departamento",
    "People": "Personas",
    "Email": "Correo",
    "Status": "Estado",
    "Launch on schedule": "Lanzar según la programación",
    "New campaign": "Nueva campaña",
    "Emails go out only inside each site's opening hours, in its own timezone, spread over the days you choose.": "Los correos salen solo en el horario de apertura de cada sede, en su propia zona horaria, repartidos en los días que elija.",
    "Create campaign": "Crear campaña",
    "Preview the chosen template": "Ver la plantilla elegida",
    "Thank you for reporting this email. IT will look at it.": "Gracias por notificar este correo. Informática lo revisará.",
    "Our first automatic look at “%(subject)s” says it is %(verdict)s.": "Nuestro primer análisis automático de «%(subject)s» indica que es %(verdict)s.",
    "What we found:": "Lo que hemos encontrado:",
    "What to do now:": "Qué hacer ahora:",
    "Thank you for reporting this email.": "Gracias por notificar este correo.",
    "The message “%(subject)s” was a drill run by your clinic to practise spotting phishing. Reporting it was exactly the right thing to do.": "El mensaje «%(subject)s» era un simulacro de su centro para practicar la detección de phishing. Notificarlo era justo lo que había que hacer.",
    "The signs you could have spotted:": "Las señales que podía haber detectado:",
    "Keep reporting anything that looks odd: when it is real, your report protects everyone.": "Siga notificando todo lo que le parezca raro: cuando es real, su aviso nos protege a todos.",
    "Simulations": "Simulacros",
    "Templates and their red flags": "Plantillas y sus señales de alarma",
    "Trend and repeat offenders": "Evolución y reincidentes",
    "Campaign": "Campaña",
    "Kind": "Tipo",
    "State": "Estado",
    "Clicked": "Hicieron clic",
    "Resilience": "Resiliencia",
    "Safe phishing and ClickFix campaigns against your own staff, a report button, and results that show who reports as well as who clicks.": "Campañas seguras de phishing y ClickFix para su propio personal, un botón para notificar y resultados que muestran quién notifica, no solo quién hace clic.",
    "No campaign yet.": "Todavía no hay campañas.",
    "Email address": "Correo electrónico",
    "Password": "Contraseña",
    "Sign in": "Iniciar sesión",
    "What gave this email away (“%(subject)s”)": "Qué delataba este correo («%(subject)s»)",
    "Next time": "La próxima vez",
    "A short training module may be waiting for you in the %(clinic)s staff portal.": "Puede que le espere un breve módulo de formación en el portal del personal de %(clinic)s.",
    "Every simulation email, and the signs a careful reader could have spotted. Use them in team meetings: the best defence is people who know what to look for.": "Cada correo de simulacro y las señales que un lector atento podía detectar. Úselos en las reuniones de equipo: la mejor defensa es un personal que sabe qué buscar.",
    "Trend": "Evolución",
    "Trend across campaigns": "Evolución entre campañas",
    "Repeat offenders": "Reincidentes",
    "People who fell for two or more simulations. Offer them help, not blame: they are enrolled in training automatically.": "Personas que cayeron en dos o más simulacros. Ofrézcales ayuda, no reproches: se les inscribe en la formación automáticamente.",
    "Nobody yet.": "Nadie por ahora.",
    "Reported emails": "Correos notificados",
    "Emails that staff reported and that were not one of our simulations. The first analysis was also sent to the reporter.": "Correos que el personal notificó y que no eran simulacros nuestros. El primer análisis también se envió a quien lo notificó.",
    "reported by": "notificado por",
    "Close": "Cerrar",
    "Nothing to triage.": "Nada que revisar.",
    "Campaign scheduled. Emails go out in each site's opening hours.": "Campaña programada. Los correos saldrán en el horario de apertura de cada sede.",
    "%d people do not fit the sending window.": "%d personas no caben en la ventana de envío.",
    "ours": "nuestra",
    "not sent yet": "sin enviar",
    "sent": "enviados",
    "opened": "abrieron",
    "submitted a form": "enviaron el formulario",
    "copied the command": "copiaron la orden",
    "ran it": "la ejecutaron",
    "Write a template": "Escribir una plantilla",
    "Same shape as the library: an English version (and a Spanish one if you like), a {{link}} in the body, and the red flags people should learn to spot.": "Con la misma forma que la biblioteca: una versión en inglés (y otra en español si quiere), un {{link}} en el cuerpo y las señales de alarma que el personal debe aprender a detectar.",
    "Template (YAML)": "Plantilla (YAML)",
    "Preview": "Vista previa",
    "Save": "Guardar",
    "Template “%s” saved.": "Plantilla «%s» guardada.",
}
PLURALS = {
    "%(n)s reported email to triage": (
        "%(n)s correo notificado por revisar",
        "%(n)s correos notificados por revisar",
    ),
}


def po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(path: Path) -> int:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    missing = 0
    for index, block in enumerate(blocks):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not match:
            continue
        msgid = (
            "".join(re.findall(r'"(.*)"', match.group(1)))
            .encode()
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )
        if not msgid:
            continue
        block = block.replace("#, fuzzy\n", "").replace(", fuzzy", "")
        block = re.sub(r"^#\| .*\n?", "", block, flags=re.M)
        if msgid in PLURALS:
            one, many = PLURALS[msgid]
            block = re.sub(r'msgstr\[0\] (?:".*"\n?)+', f"msgstr[0] {po_string(one)}\n", block)
            for n in (1, 2):
                block = re.sub(
                    rf'msgstr\[{n}\] (?:".*"\n?)+', f"msgstr[{n}] {po_string(many)}\n", block
                )
        elif msgid in ES:
            block = re.sub(r'msgstr (?:".*"\n?)+', f"msgstr {po_string(ES[msgid])}", block)
        else:
            missing += 1
            print("untranslated:", msgid)
        blocks[index] = block.rstrip("\n")
    text = "\n\n".join(blocks)
    # Two forms are all our strings need; Django's own catalogues for "es" agree.
    text = re.sub(
        r'"Plural-Forms: [^"]*"(?:\n"[^"]*")*',
        r'"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        text,
    )
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    fill(Path(__file__).resolve().parent / "es" / "LC_MESSAGES" / "django.po")
