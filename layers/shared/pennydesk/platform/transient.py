"""Which AWS failures are momentary: throttling and service errors the caller may simply try again.

The API answers them with 503 and Retry-After in its error shape (nothing was written: a throttled
request or a cancelled transaction changes nothing), instead of letting the function crash into API
Gateway's bare 500. Stream and queue functions need nothing of this: a failed record is retried anyway.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

# Codes AWS documents as retryable for DynamoDB and SES: the request was refused or failed server-side.
TRANSIENT_CODES = frozenset({
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
})
# Cancellation reasons that say "not now" about an item, rather than "no" (a condition that failed).
TRANSIENT_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})
RETRY_AFTER_SECONDS = 1


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps: pynamodb keeps the botocore error in `.cause`, others chain it."""
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or any(current is seen for seen in found) or len(found) > 20:
            continue
        found.append(current)
        pending.extend([getattr(current, "cause", None), current.__cause__, current.__context__])
    return found


def is_transient(exc: BaseException) -> bool:
    """Whether AWS said "not now" (throttled, busy, failed on its side), so retrying later can succeed."""
    for cause in _causes(exc):
        if not isinstance(cause, ClientError):
            continue
        code = cause.response.get("Error", {}).get("Code", "")
        if code in TRANSIENT_CODES:
            return True
        if code == "TransactionCanceledException":
            reasons = {r.get("Code") for r in cause.response.get("CancellationReasons") or []} - {"None", None}
            if reasons and reasons <= TRANSIENT_REASONS:
                return True
            reasons = {r.code for r in getattr(cause, "cancellation_reasons", None) or [] if r}
            if reasons and reasons <= TRANSIENT_REASONS:
                return True
    return False
