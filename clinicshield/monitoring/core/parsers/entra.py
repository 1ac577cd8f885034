"""Microsoft Entra ID / Microsoft 365 sign-ins -> ``auth``.

Two shapes of the same record, one JSON object per row (the readers unwrap arrays and
``{"value": [...]}`` / ``{"records": [...]}`` pages):

- a Microsoft Graph ``signIn`` resource (``createdDateTime``, ``userPrincipalName``,
  ``ipAddress``, ``status.errorCode``, ``location``, ``deviceDetail``, ...);
- an Azure Monitor diagnostic record (``time``, ``category: SignInLogs``,
  ``properties: {...the same fields...}``).

All fields come out of one ``json_extract_string`` call with a list of paths, so DuckDB
parses each record once. Entra's own location (city, coordinates) is kept; the offline
database fills only what it leaves empty.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants; file content only
# ever reaches DuckDB as bound parameters or Arrow data, never as SQL text.

from __future__ import annotations

from .base import Batch, Context, Parsed, connect

# (name, path inside a Graph signIn); the Azure Monitor form is the same under properties.
FIELDS = [
    ("created", "createdDateTime"),
    ("upn", "userPrincipalName"),
    ("ip", "ipAddress"),
    ("error", "status.errorCode"),
    ("reason", "status.failureReason"),
    ("client", "clientAppUsed"),
    ("app_name", "appDisplayName"),
    ("interactive", "isInteractive"),
    ("dev_name", "deviceDetail.displayName"),
    ("dev_id", "deviceDetail.deviceId"),
    ("browser", "deviceDetail.browser"),
    ("os", "deviceDetail.operatingSystem"),
    ("city", "location.city"),
    ("country", "location.countryOrRegion"),
    ("lat", "location.geoCoordinates.latitude"),
    ("lon", "location.geoCoordinates.longitude"),
]
TOP_LEVEL = [
    ("time", "time"),
    ("category", "category"),
    ("caller_ip", "callerIpAddress"),
    ("result", "resultType"),
]
SIGN_IN_CATEGORIES = (
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
)


def _paths() -> list[str]:
    paths = [f"$.{p}" for _, p in FIELDS] + [f"$.properties.{p}" for _, p in FIELDS]
    return paths + [f"$.{p}" for _, p in TOP_LEVEL]


def _columns() -> str:
    n = len(FIELDS)
    parts = []
    for i, (name, _) in enumerate(FIELDS, start=1):
        parts.append(f"nullif(coalesce(f[{i}], f[{i + n}]), '') AS {name}")
    for j, (name, _) in enumerate(TOP_LEVEL, start=2 * n + 1):
        parts.append(f"nullif(f[{j}], '') AS {name}")
    return ",\n    ".join(parts)


_PATHS_SQL = "[" + ", ".join(f"'{p}'" for p in _paths()) + "]"
_CATEGORIES_SQL = ", ".join(f"'{c}'" for c in SIGN_IN_CATEGORIES)

_AUTH_SQL = f"""
WITH r AS (
  SELECT line_no, line, json_extract_string(line, {_PATHS_SQL}) AS f
  FROM lines WHERE json_valid(line) AND trim(line) <> ''
), v AS (
  SELECT line_no, line,
    {_columns()}
  FROM r
)
SELECT
  coalesce(TRY_CAST(created AS TIMESTAMPTZ), TRY_CAST("time" AS TIMESTAMPTZ)) AS ts,
  lower(regexp_replace(upn, '@.*$', '')) AS "user",
  nullif(regexp_extract(lower(upn), '@(.*)$', 1), '') AS domain,
  CASE WHEN coalesce(error, result, '0') = '0' THEN 'success' ELSE 'failure' END AS outcome,
  CASE WHEN coalesce(error, result, '0') <> '0'
       THEN coalesce(error, result) || coalesce(': ' || reason, '') END AS failure_reason,
  CASE WHEN category = 'NonInteractiveUserSignInLogs' OR interactive = 'false'
       THEN 'non_interactive' ELSE 'interactive' END AS logon_type,
  coalesce(ip, caller_ip) AS src_ip,
  upper(country) AS src_country, city AS src_city,
  TRY_CAST(lat AS DOUBLE) AS src_lat, TRY_CAST(lon AS DOUBLE) AS src_lon,
  app_name AS host,
  'entra:' || coalesce(client, 'unknown') AS app,
  coalesce(dev_name, dev_id,
           CASE WHEN browser IS NOT NULL OR os IS NOT NULL
                THEN coalesce(browser, '?') || ' / ' || coalesce(os, '?') END) AS device,
  'entra:' || coalesce(error, result, '0') AS event_code,
  $label || ' ' || line_no AS record_ref, line AS _raw
FROM v
WHERE category IS NULL OR category IN ({_CATEGORIES_SQL})
"""

_REJECTS_SQL = """
SELECT $label || ' ' || line_no AS record_ref, 'not_json' AS reason, line AS raw
FROM lines WHERE NOT json_valid(line) AND trim(line) NOT IN ('', '[', ']', ',')
"""


def parse(batch: Batch, context: Context, state: dict[str, object]) -> Parsed:
    con = connect()
    con.register("lines", batch.lines)
    auth = con.execute(_AUTH_SQL, {"label": batch.ref_label}).to_arrow_table()
    rejects = con.execute(_REJECTS_SQL, {"label": batch.ref_label}).to_arrow_table()
    con.close()
    return Parsed(kinds={"auth": auth}, rejects=rejects)
