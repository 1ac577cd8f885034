"""Look-alike domains: is `clinicasol.es` pretending to be `clinicsol.es`?

Attackers register domains one keystroke or one glyph away from a real one
(`rn` for `m`, `0` for `o`, a dropped letter, an extra hyphenated word, another
top-level domain). We compare the *registrable* part of the sender's domain
with the clinic's own domains and its suppliers' domains, after folding common
glyph tricks, and report the closest match.
"""

from __future__ import annotations

from dataclasses import dataclass

# Second-level suffixes under which the registrable name is one label further left.
_MULTI_LABEL_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "nhs.uk",
        "com.es",
        "org.es",
        "nom.es",
        "gob.es",
        "com.mx",
        "com.ar",
        "com.br",
        "com.au",
        "co.jp",
        "co.nz",
        "co.za",
    }
)
# Glyph swaps folded before comparing. Single characters first (a capital I is
# lower-cased to i before we see it, so i, l and 1 all become l), then pairs that
# read as one letter.
_GLYPH_FOLDS: tuple[tuple[str, str], ...] = (
    ("0", "o"),
    ("1", "l"),
    ("i", "l"),
    ("3", "e"),
    ("5", "s"),
    ("@", "a"),
    ("rn", "m"),
    ("vv", "w"),
    ("cl", "d"),
)


@dataclass(frozen=True)
class LookalikeMatch:
    domain: str  # the sender's domain
    imitates: str  # the genuine domain it resembles
    technique: str  # edit_distance, glyph_swap, extra_words, other_tld, unicode


def registrable(domain: str) -> str:
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _name_and_suffix(domain: str) -> tuple[str, str]:
    base = registrable(domain)
    name, _, suffix = base.partition(".")
    return name, suffix


def _to_unicode(domain: str) -> str:
    try:
        return domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return domain


def _fold(name: str) -> str:
    for glyph, plain in _GLYPH_FOLDS:
        name = name.replace(glyph, plain)
    return name.replace("-", "")


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def _technique(sender: str, genuine: str) -> str:
    sender_unicode = _to_unicode(sender)
    s_name, s_suffix = _name_and_suffix(sender_unicode)
    g_name, g_suffix = _name_and_suffix(genuine)
    if sender_unicode != sender or not sender_unicode.isascii():
        ascii_name = s_name.encode("ascii", "ignore").decode()
        if ascii_name and edit_distance(ascii_name, g_name) <= 2:
            return "unicode"
    if s_name == g_name and s_suffix != g_suffix:
        return "other_tld"
    if s_name == g_name:
        return ""
    if _fold(s_name) == _fold(g_name):
        return "glyph_swap"
    if len(g_name) >= 4 and g_name in s_name.replace("-", ""):
        return "extra_words"
    allowed = 1 if len(g_name) < 6 else 2
    if edit_distance(s_name, g_name) <= allowed:
        return "edit_distance"
    return ""


def find_lookalike(sender_domain: str, genuine_domains: list[str]) -> LookalikeMatch | None:
    """The genuine domain that `sender_domain` imitates, if any (exact matches are genuine)."""
    sender = sender_domain.lower().strip(".")
    if not sender:
        return None
    sender_base = registrable(sender)
    for genuine in genuine_domains:
        if registrable(genuine) == sender_base:
            return None
    for genuine in genuine_domains:
        technique = _technique(sender, genuine.lower())
        if technique:
            return LookalikeMatch(domain=sender, imitates=genuine.lower(), technique=technique)
    return None


def is_genuine(domain: str, genuine_domains: list[str]) -> bool:
    base = registrable(domain)
    return any(registrable(g) == base for g in genuine_domains)
