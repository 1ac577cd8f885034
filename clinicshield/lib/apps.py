from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "clinicshield.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app's due.py registers its periodic jobs on import.
        from . import due

        due.discover()
