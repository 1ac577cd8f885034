"""Linux syslog / auth.log (RFC 3164 and RFC 5424): sshd and PAM sign-ins -> ``auth``.

One DuckDB query per batch: a regular expression splits the syslog header, a second one
(a single alternation, so each line is scanned once) recognises the sshd and PAM
messages that say who tried to sign in from where. Lines of other programs are read and
skipped; lines without a syslog header are quarantined.

RFC 3164 timestamps carry neither year nor zone. The zone is ``--timezone`` (UTC when
not given). The year is ``--year`` for the first line, plus one for lines whose month
comes before the first line's month (a log that crosses New Year); without ``--year``,
each line takes the latest year that does not put it after the file's modification date.
"""

# ruff: noqa: S608 - SQL text is assembled from our own constants; file content only
# ever reaches DuckDB as bound parameters or Arrow data, never as SQL text.

from __future__ import annotations

from typing import Any

from .base import Batch, Context, Parsed, connect

RFC3164 = (
    r"^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d:\d\d:\d\d)(?:\.\d+)? (\S+) "
    r"(?:([^:\[\s]+)(?:\[(\d+)\])?: ?)?(.*)$"
)
RFC5424 = (
    r"^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) "
    r"(-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)$"
)

# Groups: 1 verb, 2 method, 3 "invalid user ", 4 user, 5 ip, 6 port | 7 user, 8 ip, 9 port |
# 10 user, 11 ip, 12 port | 13 user, 14 ip | 15 rhost, 16 user
AUTH_MESSAGE = (
    r"^(?:error: )?(?:PAM: )?(?:"
    r"(Failed|Accepted) (\S+) for (invalid user )?(.+?) from (\S+) port (\d+)"
    r"|[Ii]nvalid user (.*?) from (\S+)(?: port (\d+))?"
    r"|maximum authentication attempts exceeded for (?:invalid user )?(\S+) from (\S+) port (\d+)"
    r"|User (\S+) from (\S+) not allowed because"
    r"|(?:pam_unix\([^)]*\): )?authentication failure;.*? rhost=(\S*)(?:\s+user=(\S+))?"
    r")"
)
_GROUPS = [f"g{i}" for i in range(1, 17)]
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"

_HEADER_SQL = """
CREATE OR REPLACE TEMP TABLE hdr AS
SELECT line_no, line,
  CASE WHEN starts_with(line, '<') AND regexp_matches(line, '^<\\d{1,3}>1 ')
       THEN regexp_extract(line, $r5, ['pri','ts','host','prog','pid','msgid','sd','msg'])
  END AS h5,
  CASE WHEN h5 IS NULL
       THEN regexp_extract(line, $r3, ['pri','mon','day','time','host','prog','pid','msg'])
  END AS h3
FROM lines
"""

_AUTH_SQL = f"""
WITH h AS (
  SELECT line_no, line,
    h5.ts <> '' AS is5424,
    CASE WHEN h5.ts <> '' THEN h5.host ELSE h3.host END AS host,
    CASE WHEN h5.ts <> '' THEN h5.prog ELSE h3.prog END AS prog,
    CASE WHEN h5.ts <> '' THEN ltrim(h5.msg, chr(65279)) ELSE h3.msg END AS msg,
    h5.ts AS ts5, h3.mon AS mon, TRY_CAST(h3.day AS INTEGER) AS day, h3.time AS time
  FROM hdr
  WHERE (h5.ts <> '' OR h3.mon <> '')
    AND regexp_matches(CASE WHEN h5.ts <> '' THEN h5.msg ELSE h3.msg END, $prefilter)
), m AS (
  SELECT *, regexp_extract(msg, $auth, {_GROUPS}) AS g,
    (strpos('{_MONTHS}', mon) + 2) // 3 AS month
  FROM h
), t AS (
  SELECT *,
    CASE WHEN is5424 THEN TRY_CAST(ts5 AS TIMESTAMPTZ)
      ELSE timezone($tz, try_strptime(
        CAST({{year_expr}} AS VARCHAR) || ' ' || mon || ' ' || CAST(day AS VARCHAR) || ' ' || time,
        '%Y %b %d %H:%M:%S'))
    END AS ts
  FROM m WHERE g.g1 <> '' OR g.g5 <> '' OR g.g8 <> '' OR g.g11 <> '' OR g.g14 <> ''
    OR regexp_matches(msg, 'authentication failure;.*rhost=')
)
SELECT
  ts,
  lower(nullif(coalesce(nullif(g.g4, ''), nullif(g.g7, ''), nullif(g.g10, ''),
                        nullif(g.g13, ''), nullif(g.g16, '')), '')) AS "user",
  CASE WHEN g.g1 = 'Accepted' THEN 'success' ELSE 'failure' END AS outcome,
  CASE WHEN g.g15 <> '' AND NOT regexp_matches(g.g15, '^[0-9A-Fa-f:.]+$')
       THEN 'rhost=' || g.g15 END AS failure_reason,
  'remote_interactive' AS logon_type,
  nullif(CASE WHEN regexp_matches(coalesce(nullif(g.g5, ''), nullif(g.g8, ''),
                    nullif(g.g11, ''), nullif(g.g14, ''), g.g15), '^[0-9A-Fa-f:.]+$')
              THEN coalesce(nullif(g.g5, ''), nullif(g.g8, ''), nullif(g.g11, ''),
                            nullif(g.g14, ''), g.g15) END, '') AS src_ip,
  TRY_CAST(coalesce(nullif(g.g6, ''), nullif(g.g9, ''), nullif(g.g12, '')) AS INTEGER)
    AS src_port,
  host,
  CASE WHEN starts_with(prog, 'sshd') THEN 'sshd'
       ELSE regexp_extract(prog, '^([^(\\[]+)', 1) END AS app,
  CASE
    WHEN g.g1 <> '' THEN 'sshd:' || lower(g.g1) || '_' || replace(lower(g.g2), '-', '_')
    WHEN g.g8 <> '' THEN 'sshd:invalid_user'
    WHEN g.g11 <> '' THEN 'sshd:max_attempts'
    WHEN g.g14 <> '' THEN 'sshd:not_allowed'
    ELSE 'pam:auth_failure'
  END AS event_code,
  $label || ' ' || line_no AS record_ref,
  line AS _raw
FROM t
"""

_REJECTS_SQL = """
SELECT $label || ' ' || line_no AS record_ref, 'not_syslog' AS reason, line AS raw
FROM hdr WHERE coalesce(h5.ts, '') = '' AND h3.mon = '' AND trim(line) <> ''
"""

# Only lines that can be sign-ins reach the message regex.
PREFILTER = (
    "Failed |Accepted |nvalid user |authentication failure;|maximum authentication|not allowed"
)


def _year_expr(context: Context, state: dict[str, Any]) -> str:
    if context.year is not None:
        first = int(state.get("first_month", 1))
        return f"({int(context.year)} + CASE WHEN month < {first} THEN 1 ELSE 0 END)"
    ref = context.file_mtime
    if ref is None:
        raise ValueError("a year-less syslog file needs --year or a modification date")
    limit = ref.month * 100 + ref.day + 1
    return f"({ref.year} - CASE WHEN month * 100 + day > {limit} THEN 1 ELSE 0 END)"


def _remember_first_month(con: Any, state: dict[str, Any]) -> None:
    if "first_month" in state:
        return
    row = con.execute(
        f"SELECT (strpos('{_MONTHS}', h3.mon) + 2) // 3 FROM hdr "
        "WHERE h3.mon <> '' ORDER BY line_no LIMIT 1"
    ).fetchone()
    if row and row[0]:
        state["first_month"] = int(row[0])


def parse(batch: Batch, context: Context, state: dict[str, Any]) -> Parsed:
    """Parse one batch of syslog lines; ``state`` carries the first line's month."""
    con = connect()
    con.register("lines", batch.lines)
    con.execute(_HEADER_SQL, {"r5": RFC5424, "r3": RFC3164})
    _remember_first_month(con, state)
    sql = _AUTH_SQL.replace("{year_expr}", _year_expr(context, state))
    auth = con.execute(
        sql,
        {
            "auth": AUTH_MESSAGE,
            "tz": context.timezone,
            "prefilter": PREFILTER,
            "label": batch.ref_label,
        },
    ).to_arrow_table()
    rejects = con.execute(_REJECTS_SQL, {"label": batch.ref_label}).to_arrow_table()
    con.close()
    return Parsed(kinds={"auth": auth}, rejects=rejects)


def looks_like(sample: list[str]) -> bool:
    """True when most non-empty sample lines carry a syslog header."""
    import re

    lines = [s for s in sample if s.strip()]
    if not lines:
        return False
    r3, r5 = re.compile(RFC3164), re.compile(RFC5424)
    hits = sum(1 for s in lines if r5.match(s) or r3.match(s))
    return hits >= max(1, len(lines) * 0.6)
