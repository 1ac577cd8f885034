import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicshield.settings")
django_application = get_wsgi_application()

# Tracking hits (pixel, clicks, submits) are answered before Django's request cycle;
# everything else, and every hit the fast path cannot answer as Django would, goes on.
from clinicshield.simulations.fastpath import tracking_fast_path  # noqa: E402 - needs setup

application = tracking_fast_path(django_application)
