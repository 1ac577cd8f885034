"""Demo data of the readiness app: a call tree, a completed drill and a closed incident."""

from datetime import date, datetime, timedelta

from clinicshield.accounts.models import Organisation

from . import actions
from .queries import scenario_of

CALL_TREE = [
    ("owner", "Dra. Isabel Santos", "+34 600 100 200", "owner@santa-ana.example", True),
    (
        "it_support",
        "MSP Salud (guardia 24 h)",
        "+34 910 555 010",
        "tecnico@msp-salud.example",
        True,
    ),
    ("dpo", "Delegada de protección de datos", "+34 910 555 020", "dpd@santa-ana.example", True),
    ("insurer", "Aseguradora de ciberriesgos, póliza CY-2291", "+34 900 100 300", "", False),
    ("authority", "AEPD (sede electrónica)", "+34 900 293 183", "", False),
    ("police", "Policía Nacional", "091", "", False),
]

# What the demo team named in its drill: most, not all, so the report shows real gaps.
DRILL_ANSWERS = {
    "q-receptionist-now": ["disconnect", "report-now"],
    "q-detect-without-report": ["runmru-alert"],
    "q-reporting-culture": ["no-blame", "one-tap", "thank-reporters"],
    "q-first-hour": ["isolate", "disable-accounts", "protect-backups", "preserve"],
    "q-opening": ["downtime-kit", "triage-appointments"],
    "q-notify": ["awareness-time", "authority-72h", "tell-patients"],
    "q-ransom": ["no-contact", "insurer-lawyer-police"],
    "q-reception-script": ["approved-script", "press-to-manager"],
    "q-patient-letter": ["plain-words", "what-to-do"],
    "q-restore": ["reset-all", "rebuild-entry"],
}


def _seed_drill(org: Organisation, now: datetime) -> None:
    start = now - timedelta(days=40, hours=3)
    drill = actions.do_start_drill(org, "interlock-clickfix-reception", "es", "demo", now=start)
    scenario = scenario_of(drill)
    for inject in scenario.injects:
        at = start + timedelta(minutes=inject.at_minute)
        actions.do_show_next_inject(drill, now=at)
        for question in inject.questions:
            actions.do_submit_answer(
                drill,
                question.id,
                "Ana García",
                "Desconectar y avisar a informática; después seguir en papel.",
                now=at,
            )
            actions.do_record_decision(
                drill,
                question.id,
                DRILL_ANSWERS.get(question.id, []),
                now=at + timedelta(minutes=5),
            )
    actions.do_finish_drill(
        drill,
        "demo",
        went_well="Recepción sabe desconectar sin apagar. La cadena de llamadas funcionó.",
        gaps_noted=(
            "Nadie vigila el historial de Ejecutar (RunMRU). No hay laboratorio alternativo."
        ),
        improvements=[
            (
                "Activar alertas de ClickFix (RunMRU) en los PC de recepción",
                "MSP Salud",
                (now + timedelta(days=20)).date(),
            ),
            (
                "Acordar un laboratorio alternativo para urgencias",
                "Rosa Garrido",
                (now + timedelta(days=45)).date(),
            ),
            (
                "Imprimir los carteles con el código QR en cada puesto",
                "Rosa Garrido",
                date.fromordinal((now - timedelta(days=30)).toordinal()),
            ),
        ],
        now=start + timedelta(minutes=80),
    )
    poster_task = drill.improvements.get(title__startswith="Imprimir")
    actions.do_close_improvement(poster_task, "demo", now=now - timedelta(days=25))


def _seed_incident(org: Organisation, now: datetime) -> None:
    reporter = org.people.filter(department="reception").first()
    opened = now - timedelta(days=12, hours=5)
    incident = actions.do_open_incident(
        org,
        title="Página de «verifica que eres humano» en recepción",
        source="staff_report",
        source_ref="portal",
        reporter=reporter,
        playbook_key="clickfix",
        details="Pegó un comando tras un CAPTCHA falso; desconectó el cable en 3 minutos.",
        opened_at=opened,
        actor="demo",
        notify=False,  # demo addresses are not real mailboxes
    )
    for task in incident.tasks.all():
        status = "skipped" if task.step_id == "restore_computer" else "done"
        actions.do_set_task_status(
            task, status, "demo", checked=[item["id"] for item in task.checklist]
        )
    actions.do_add_note(
        incident,
        "El comando no llegó a descargar nada: el proxy lo bloqueó.",
        "tecnico@msp-salud.example",
    )
    actions.do_close_incident(
        incident,
        "demo",
        root_cause="Anuncio malicioso en un buscador que llevaba a un CAPTCHA falso (ClickFix).",
        went_well="Aviso en 4 minutos; el equipo quedó encendido y aislado.",
        lessons="Bloquear Win+R para usuarios de recepción y repetir la formación de ClickFix.",
        improvements=["Bloquear el cuadro Ejecutar en los PC de recepción por directiva"],
        now=opened + timedelta(days=1),
    )


def seed(org: Organisation, now: datetime) -> str:
    for position, (kind, name, phone, email, notify) in enumerate(CALL_TREE):
        org.call_tree.create(
            kind=kind,
            name=name,
            phone=phone,
            email=email,
            notify_on_report=notify,
            position=position,
        )
    actions.do_set_regimes(org, ["gdpr"], "demo")
    _seed_drill(org, now)
    _seed_incident(org, now)
    return "call tree, a finished drill (after-action report) and a closed incident"
