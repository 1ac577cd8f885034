"""The one user-facing error type: a code for machines, a translated message for people."""

from django.utils.functional import Promise


class UserError(Exception):
    """Something the user can fix. Views show `message`; the API returns `code` and `status`."""

    def __init__(self, code: str, message: str | Promise, status: int = 400) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status
