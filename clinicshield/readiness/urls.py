"""Pages of the readiness app, mounted at /o/<org_slug>/readiness/."""

from django.urls import path

from .views import drills, incidents, setup

app_name = "readiness"

urlpatterns = [
    path("", setup.index, name="index"),
    path("call-tree/", setup.call_tree, name="call_tree"),
    path("call-tree/<int:contact_id>/delete/", setup.contact_delete, name="contact_delete"),
    path("regimes/", setup.set_regimes, name="set_regimes"),
    path("report-page/rotate/", setup.rotate_token, name="rotate_token"),
    path("playbooks/<slug:key>/", setup.playbook, name="playbook"),
    path("playbooks/<slug:key>/poster.pdf", setup.poster, name="poster"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:number>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:number>/tasks/<int:task_id>/", incidents.task_update, name="task_update"),
    path("incidents/<int:number>/notes/", incidents.add_note, name="add_note"),
    path("incidents/<int:number>/evidence/", incidents.add_evidence, name="add_evidence"),
    path(
        "incidents/<int:number>/evidence/<int:evidence_id>/",
        incidents.evidence_file,
        name="evidence_file",
    ),
    path("incidents/<int:number>/facts/", incidents.set_facts, name="set_facts"),
    path("incidents/<int:number>/notified/", incidents.mark_notified, name="mark_notified"),
    path("incidents/<int:number>/contained/", incidents.mark_contained, name="mark_contained"),
    path("incidents/<int:number>/close/", incidents.close_incident, name="close_incident"),
    path(
        "improvements/<int:task_id>/close/", incidents.close_improvement, name="close_improvement"
    ),
    path("drills/", drills.drill_list, name="drills"),
    path("drills/<int:drill_id>/", drills.drill_run, name="drill"),
    path("drills/<int:drill_id>/next/", drills.drill_next, name="drill_next"),
    path("drills/<int:drill_id>/decision/", drills.drill_decision, name="drill_decision"),
    path("drills/<int:drill_id>/finish/", drills.drill_finish, name="drill_finish"),
    path("drills/<int:drill_id>/report/", drills.drill_report, name="drill_report"),
    path("drills/<int:drill_id>/report.pdf", drills.drill_report_pdf, name="drill_report_pdf"),
]
