from django.apps import AppConfig


class ExposureConfig(AppConfig):
    name = "clinicshield.exposure"
    label = "exposure"
    default_auto_field = "django.db.models.BigAutoField"
