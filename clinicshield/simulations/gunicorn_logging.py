"""gunicorn's logger for `clinicshield serve`, without the access lines of tracking hits.

A tracking hit answered as it should be (2xx, 3xx) is already one line of the hit log,
with more in it than an access line (the event, the User-Agent, our script's proof);
writing it twice cost a quarter of the CPU of every hit in a burst (measured with
bench/simulations_tracking.py) and would bury every other line under thousands. Hits
that fail (an unknown token's 404, a 5xx) and every other request keep their line.
"""

from typing import Any

from gunicorn.glogging import Logger

TRACKING_PREFIXES = ("/t/", "/s/")


class QuietTrackingLogger(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        status = resp.status_code or 500
        if status < 400 and environ.get("PATH_INFO", "").startswith(TRACKING_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
