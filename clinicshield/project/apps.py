from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "clinicshield.project"
    label = "project"
