"""Domain errors. The API maps each to one HTTP status; nothing else may escape as a 5xx."""

from __future__ import annotations


class PennydeskError(Exception):
    """A request the domain refuses: by default a field that fails a rule (422, like schema errors)."""

    status = 422
    code = "validation_failed"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Refused(PennydeskError):
    """Several fields refused at once: answers with the first one's status and message, and lists every one
    in `refusals` (the API sends them all in `errors`, so a form shows each beside its field)."""

    def __init__(self, refusals: list[PennydeskError]) -> None:
        first = refusals[0]
        super().__init__(first.message, field=first.field)
        self.status, self.code = first.status, first.code
        self.refusals = refusals


class NotFound(PennydeskError):
    status = 404
    code = "not_found"


class Unauthorized(PennydeskError):
    status = 401
    code = "unauthorized"


class Forbidden(PennydeskError):
    status = 403
    code = "forbidden"


class Conflict(PennydeskError):
    status = 409
    code = "conflict"


class PayloadTooLarge(PennydeskError):
    status = 413
    code = "payload_too_large"
