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
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"

# The hot path avoids regular expressions with capture groups (the slowest thing DuckDB
# does with text): an RFC 3164 header has fixed positions, and the sshd/PAM messages
# say "... <user> from <ip> port <port>", so plain string functions find the fields.
_KEYWORDS = (
    "Failed ",
    "Accepted ",
    "nvalid user ",
    "authentication failure;",
    "maximum authentication attempts",
    " not allowed because",
)
_CANDIDATE = (
    "((contains(line, 'sshd') OR contains(line, 'authentication failure;')) AND ("
    + " OR ".join(f"contains(line, '{k}')" for k in _KEYWORDS)
    + "))"
)


def _valid_3164(o: str) -> str:
    """SQL: the line has an RFC 3164 timestamp starting after position ``o``."""
    return (
        f"(substr(line, {o} + 4, 1) = ' ' AND substr(line, {o} + 7, 1) = ' ' "
        f"AND substr(line, {o} + 10, 1) = ':' AND substr(line, {o} + 13, 1) = ':')"
    )


_PRI_END = "CASE WHEN starts_with(line, '<') THEN strpos(line, '>') ELSE 0 END"

# 1. Lines that may be sign-ins (plain substring tests, the only pass over every line).
_CANDIDATES_SQL = f"""
SELECT line_no, line, o, strpos(line, ': ') AS p, candidate,
  {_valid_3164("o")} OR (o > 0 AND substr(line, o + 1, 2) = '1 ') AS valid
FROM (SELECT line_no, line, {_PRI_END} AS o, {_CANDIDATE} AS candidate FROM lines
      WHERE {_CANDIDATE} OR NOT {_valid_3164("0")})
"""

# 2. Header fields: RFC 3164 by fixed positions; RFC 5424 by a regular expression.
_HEADER_SQL = f"""
SELECT line_no,
  (strpos('{_MONTHS}', substr(line, o + 1, 3)) + 2) // 3 AS month,
  TRY_CAST(trim(substr(line, o + 5, 2)) AS INTEGER) AS day,
  TRY_CAST(substr(line, o + 8, 2) AS INTEGER) AS hh,
  TRY_CAST(substr(line, o + 11, 2) AS INTEGER) AS mi,
  TRY_CAST(substr(line, o + 14, 2) AS DOUBLE) AS ss,
  substr(line, o + 17, p - o - 17) AS tag,
  rtrim(substr(line, p + 2), chr(13) || chr(10)) AS msg,
  NULL::TIMESTAMPTZ AS ts5
FROM cand WHERE candidate AND p > o + 17 AND {_valid_3164("o")}
UNION ALL
SELECT line_no, NULL, NULL, NULL, NULL, NULL,
  r.host || ' ' || r.prog, ltrim(r.msg, chr(65279)), TRY_CAST(r.ts AS TIMESTAMPTZ)
FROM (SELECT line_no, line,
        regexp_extract(rtrim(line, chr(13) || chr(10)), $r5,
                       ['pri','ts','host','prog','pid','msgid','sd','msg']) AS r
      FROM cand WHERE candidate AND o > 0 AND substr(line, o + 1, 2) = '1 ')
"""

# 3. Which message it is, and where its "from" is.
_MESSAGE_SQL = """
SELECT line_no, month, day, hh, mi, ss, ts5, host, prog, text,
  strpos(text, ' from ') AS fp,
  CASE
    WHEN starts_with(text, 'Failed ') OR starts_with(text, 'Accepted ')
      THEN 'sshd:' || lower(split_part(text, ' ', 1)) || '_'
           || replace(lower(split_part(text, ' ', 2)), '-', '_')
    WHEN starts_with(text, 'Invalid user ') OR starts_with(text, 'invalid user ')
      THEN 'sshd:invalid_user'
    WHEN starts_with(text, 'maximum authentication attempts exceeded for ')
      THEN 'sshd:max_attempts'
    WHEN starts_with(text, 'User ') AND contains(text, ' not allowed because ')
      THEN 'sshd:not_allowed'
    WHEN contains(text, 'authentication failure;') AND contains(text, 'rhost=')
      THEN 'pam:auth_failure'
  END AS event_code
FROM (
  SELECT *, split_part(tag, ' ', 1) AS host,
    rtrim(split_part(split_part(tag, ' ', 2), '[', 1), ':') AS prog,
    CASE WHEN starts_with(msg, 'error: ') THEN substr(msg, 8) ELSE msg END AS text
  FROM hdr
)
WHERE starts_with(prog, 'sshd') OR contains(text, 'authentication failure;')
"""

# 4. Who, from where.
_AUTH_SQL = """
SELECT
  coalesce(ts5, make_timestamptz({year_expr}, month, day, hh, mi, ss, $tz)) AS ts,
  lower(account) AS "user",
  CASE WHEN starts_with(event_code, 'sshd:accepted') THEN 'success' ELSE 'failure' END
    AS outcome,
  CASE WHEN addr <> '' AND NOT regexp_matches(addr, '^[0-9A-Fa-f:.]+$')
       THEN 'rhost=' || addr END AS failure_reason,
  'remote_interactive' AS logon_type,
  CASE WHEN regexp_matches(addr, '^[0-9A-Fa-f:.]+$') THEN addr END AS src_ip,
  TRY_CAST(split_part(split_part(text, ' port ', 2), ' ', 1) AS INTEGER) AS src_port,
  host,
  CASE WHEN starts_with(prog, 'sshd') THEN 'sshd' ELSE split_part(prog, '(', 1) END AS app,
  event_code,
  $label || ' ' || line_no AS record_ref,
  line_no AS _line_no
FROM (
  SELECT *,
    CASE WHEN event_code = 'pam:auth_failure'
         THEN split_part(split_part(text, 'rhost=', 2), ' ', 1)
         ELSE split_part(substr(text, fp + 6), ' ', 1) END AS addr,
    CASE WHEN event_code = 'pam:auth_failure'
         THEN nullif(split_part(split_part(text, ' user=', 2), ' ', 1), '')
         WHEN event_code = 'sshd:not_allowed' THEN split_part(text, ' ', 2)
         ELSE split_part(substr(text, 1, fp - 1), ' ', -1) END AS account
  FROM msg
  WHERE event_code IS NOT NULL AND (event_code = 'pam:auth_failure' OR fp > 0)
)
"""

_REJECTS_SQL = """
SELECT $label || ' ' || line_no AS record_ref, 'not_syslog' AS reason, line AS raw
FROM cand WHERE NOT valid AND trim(line, chr(32) || chr(9) || chr(13) || chr(10)) <> ''
"""

_FIRST_MONTH_SQL = f"""
SELECT (strpos('{_MONTHS}', substr(line, o + 1, 3)) + 2) // 3
FROM (SELECT line_no, line, {_PRI_END} AS o FROM lines WHERE line_no < $first + 64)
WHERE {_valid_3164("o")} ORDER BY line_no LIMIT 1
"""


def _year_expr(context: Context, state: dict[str, Any]) -> str:
    if context.year is not None:
        first = int(state.get("first_month", 1))
        return f"({int(context.year)} + CASE WHEN month < {first} THEN 1 ELSE 0 END)"
    ref = context.file_mtime
    if ref is None:
        raise ValueError("a year-less syslog file needs --year or a modification date")
    limit = ref.month * 100 + ref.day + 1
    return f"({ref.year} - CASE WHEN month * 100 + day > {limit} THEN 1 ELSE 0 END)"


def _remember_first_month(con: Any, batch: Batch, state: dict[str, Any]) -> None:
    if "first_month" in state:
        return
    row = con.execute(_FIRST_MONTH_SQL, {"first": batch.first_line}).fetchone()
    if row and row[0]:
        state["first_month"] = int(row[0])


def parse(batch: Batch, context: Context, state: dict[str, Any]) -> Parsed:
    """Parse one batch of syslog lines; ``state`` carries the first line's month."""
    con = connect()
    con.register("lines", batch.lines)
    _remember_first_month(con, batch, state)
    # Each step's result goes back to Arrow: cheaper than a DuckDB temporary table, and
    # it stops DuckDB from inlining a step's string expressions into the next one.
    con.register("cand", con.execute(_CANDIDATES_SQL).to_arrow_table())
    con.register("hdr", con.execute(_HEADER_SQL, {"r5": RFC5424}).to_arrow_table())
    con.register("msg", con.execute(_MESSAGE_SQL).to_arrow_table())
    sql = _AUTH_SQL.replace("{year_expr}", _year_expr(context, state))
    params = {"tz": context.timezone, "label": batch.ref_label}
    auth = con.execute(sql, params).to_arrow_table()
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
    return hits >= max(1, len(lines) * 0.5)
