from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "clinicshield.readiness"
    label = "readiness"
    default_auto_field = "django.db.models.BigAutoField"
