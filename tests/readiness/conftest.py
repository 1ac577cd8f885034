"""Readiness tests run background jobs inline, so an email queued by an action arrives."""

from collections.abc import Iterator

import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def huey_inline() -> Iterator[None]:
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous
