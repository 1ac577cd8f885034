"""Reading ids that a page posts back (a button's value, a hidden field)."""

from django.http import HttpRequest


def posted_id(request: HttpRequest, name: str) -> int:
    """The positive whole number posted as ``name``, or 0, which no row has: a missing or
    tampered value then finds nothing (404), instead of failing the query (500)."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0
