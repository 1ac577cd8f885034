"""URL map. Organisation pages live under /o/<org_slug>/<app>/, the staff portal under
/portal/, public pages (tracking links, report page) at each app's own prefix, the API at /api/.
"""

import importlib

from django.urls import URLPattern, URLResolver, include, path

from clinicshield.accounts.views import home, setup

from .api import api
from .health import healthz

APPS = ("dashboard", "training", "simulations", "readiness", "monitoring", "exposure")


def optional_include(module: str, namespace: str) -> list[URLResolver]:
    """Include `module` if the app has it: apps add portal or public pages when they need them."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name == module:
            return []
        raise
    return [path("", include((module, namespace)))]


urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("setup/", setup.first_setup, name="setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("clinicshield.accounts.auth_urls")),
    path("portal/", include("clinicshield.accounts.portal_urls")),
    path("api/", api.urls),
    path("o/<slug:org_slug>/people/", include("clinicshield.accounts.urls")),
]
for _app in APPS:
    urlpatterns.append(path(f"o/<slug:org_slug>/{_app}/", include(f"clinicshield.{_app}.urls")))
    urlpatterns.append(
        path(
            f"portal/{_app}/",
            include(optional_include(f"clinicshield.{_app}.portal_urls", f"{_app}_portal")),
        )
    )
    urlpatterns += optional_include(f"clinicshield.{_app}.public_urls", f"{_app}_public")
