"""The demo clinic: "Clínica Santa Ana", two sites, 25 staff and an MSP technician.

Other apps add their own demo data through `<app>/demo.py: seed(org, now)`; the `demo`
command calls them after this one.
"""

from datetime import datetime

from .actions import do_add_member, do_create_organisation, do_create_site, do_set_password
from .core.hours import parse_opening_hours
from .models import Organisation, Person

DEMO_SLUG = "demo"
SECOND_SLUG = "demo-norte"
OWNER_EMAIL = "owner@santa-ana.example"
MSP_EMAIL = "tecnico@msp-salud.example"

SITES = [
    ("Madrid", "Calle de Santa Ana 12, 28012 Madrid", "mon-fri 08:00-20:00; sat 09:00-14:00"),
    ("Toledo", "Calle Real 4, 45002 Toledo", "mon-fri 08:00-15:00"),
]

# name, email user part, department, site, language, is a manager of their site
STAFF = [
    ("Ana García López", "ana.garcia", "reception", "Madrid", "es", False),
    ("Lucía Fernández Ruiz", "lucia.fernandez", "reception", "Madrid", "es", False),
    ("Javier Martín Sánchez", "javier.martin", "reception", "Toledo", "es", False),
    ("Carmen Jiménez Díaz", "carmen.jimenez", "clinician", "Madrid", "es", False),
    ("Pablo Moreno Álvarez", "pablo.moreno", "clinician", "Madrid", "es", False),
    ("Elena Romero Navarro", "elena.romero", "clinician", "Toledo", "es", False),
    ("Dr. Thomas Reed", "thomas.reed", "clinician", "Madrid", "en", False),
    ("Marta Torres Gil", "marta.torres", "nurse", "Madrid", "es", False),
    ("Sergio Ramos Castro", "sergio.ramos", "nurse", "Madrid", "es", False),
    ("Laura Vázquez Ortega", "laura.vazquez", "nurse", "Toledo", "es", False),
    ("Raquel Serrano Molina", "raquel.serrano", "nurse", "Toledo", "es", False),
    ("Diego Blanco Suárez", "diego.blanco", "lab", "Madrid", "es", False),
    ("Irene Castillo Rubio", "irene.castillo", "lab", "Madrid", "es", False),
    ("Hugo Delgado Prieto", "hugo.delgado", "lab", "Toledo", "es", False),
    ("Nuria Ortiz Marín", "nuria.ortiz", "billing", "Madrid", "es", False),
    ("Álvaro Sanz Iglesias", "alvaro.sanz", "billing", "Madrid", "es", False),
    ("Sara Núñez Medina", "sara.nunez", "billing", "Toledo", "es", False),
    ("Rosa Garrido Cortés", "rosa.garrido", "management", "Madrid", "es", True),
    ("Miguel Calvo Herrera", "miguel.calvo", "management", "Toledo", "es", True),
    ("Emily Carter", "emily.carter", "management", "Madrid", "en", False),
    ("Daniel Vega Lozano", "daniel.vega", "it", "Madrid", "es", False),
    ("Cristina Rojas Pascual", "cristina.rojas", "clinician", "Madrid", "es", False),
    ("Andrés Campos Vidal", "andres.campos", "nurse", "Madrid", "es", False),
    ("Patricia León Fuentes", "patricia.leon", "reception", "Toledo", "es", False),
    ("Beatriz Molina Soto", "beatriz.molina", "reception", "Madrid", "es", False),
]


def seed_organisation(password: str, now: datetime) -> tuple[Organisation, list[str]]:
    """Create the demo organisations and people; returns the demo org and login lines."""
    org = do_create_organisation("Clínica Santa Ana", DEMO_SLUG, "Europe/Madrid", "demo")
    sites = {
        name: do_create_site(
            org,
            name,
            "demo",
            timezone="Europe/Madrid",
            address=address,
            opening_hours=parse_opening_hours(hours),
        )
        for name, address, hours in SITES
    }
    people: list[Person] = []
    for name, user, department, site, language, _manager in STAFF:
        people.append(
            Person.objects.create(
                organisation=org,
                site=sites[site],
                name=name,
                email=f"{user}@santa-ana.example",
                department=department,
                language=language,
            )
        )
    managers = {p.site_id: p for p, row in zip(people, STAFF, strict=True) if row[5]}
    for person in people:
        boss = managers.get(person.site_id)
        if boss and boss != person:
            person.manager = boss
            person.save(update_fields=["manager"])

    owner = do_add_member(org, OWNER_EMAIL, "owner", "demo").user
    do_set_password(owner, password)
    msp = do_add_member(org, MSP_EMAIL, "it", "demo").user
    do_set_password(msp, password)
    viewer = do_add_member(org, "direccion@santa-ana.example", "viewer", "demo").user
    do_set_password(viewer, password)
    second = do_create_organisation("Policlínica Norte", SECOND_SLUG, "Europe/Madrid", "demo")
    do_create_site(second, "Burgos", "demo", timezone="Europe/Madrid")
    do_add_member(second, MSP_EMAIL, "it", "demo")
    logins = [
        f"owner   {OWNER_EMAIL}",
        f"MSP     {MSP_EMAIL} (also IT of '{second.name}')",
        "viewer  direccion@santa-ana.example",
    ]
    return org, logins


def staff_emails() -> list[str]:
    return [f"{row[1]}@santa-ana.example" for row in STAFF]
