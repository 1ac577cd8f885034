from django.apps import AppConfig


class SensorConfig(AppConfig):
    name = "clinicshield.sensor"
    label = "sensor"
    default_auto_field = "django.db.models.BigAutoField"
