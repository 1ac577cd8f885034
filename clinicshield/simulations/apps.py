from django.apps import AppConfig


class SimulationsConfig(AppConfig):
    name = "clinicshield.simulations"
    label = "simulations"
    default_auto_field = "django.db.models.BigAutoField"
