"""One error hierarchy with stable codes and user-facing messages (zh-Hans via gettext).

Views, API and commands map these to HTTP status / CLI exit codes in one place each.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class RenkouError(Exception):
    """Base of every error a user may see. `code` is stable; `message` is translated."""

    code = "error"
    http_status = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, **params: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        if self.params:
            try:
                return text % self.params
            except (KeyError, TypeError, ValueError):
                return text
        return text


class ValidationError(RenkouError):
    code = "invalid"
    default_message = _("The data is not valid.")


class NotFound(RenkouError):
    """Also raised when the object exists but lies outside the user's units: never leak."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(RenkouError):
    code = "forbidden"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class ImportFailed(RenkouError):
    code = "import_failed"
    default_message = _("The import found errors; nothing was written.")
