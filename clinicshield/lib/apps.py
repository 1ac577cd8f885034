from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "clinicshield.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"
    # Every app's due.py registers its periodic jobs when imported; that happens only where
    # jobs run (`run-due` and the worker), so other verbs do not pay for the apps' imports.
