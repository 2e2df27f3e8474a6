"""The one hook that starts the product's per-container caches afresh.

On Lambda a container's caches die with it. The local stack (infra/local) runs one "container" after
another in a single process, each with its own tables, secret and settings, so it calls reset_caches()
when a new container starts (before it imports the handlers); tests that change the environment or a
secret mid-process call it too. Nothing else in the product needs it.

What it resets, because it was read from the environment or from AWS:
- the settings (``settings.get_settings``, read from os.environ once);
- Powertools parameters' cache (the signing key secret);
- the idempotency persistence layers, renewed in place: the handlers' ``@idempotent_function`` decorators
  hold the layer objects, and Powertools configures a layer once, on first use.

What it keeps, and why:
- boto3 clients and the pynamodb connection (``email.send._ses``, ``scheduling.scheduler._sqs``,
  ``dynamo._connection``): they depend only on the region, which the local stack never changes, moto
  intercepts them whenever it is started, and a new pynamodb connection costs ~140 ms per stack;
- the email templates' Jinja environment and each scheduled kind's handler lookup: they depend only on
  the code shipped, so a new container would rebuild them identically;
- the help center's rendered article HTML (keyed by the Markdown itself) and its warm search index, which
  every request checks against the articles table's "last changed" marker (a new stack's table has
  another), so it never answers from another container's articles.
"""

from __future__ import annotations


def reset_caches() -> None:
    """Forget what this container read from its environment and from AWS, as a new container would."""
    from aws_lambda_powertools.utilities import parameters

    from pennydesk.platform.settings import get_settings

    get_settings.cache_clear()
    parameters.clear_caches()
    _renew_idempotency_layers()


def _renew_idempotency_layers() -> None:
    """Each persistence layer unconfigured again, on the same object the decorators hold."""
    from pennydesk.platform import idempotency

    if idempotency.persistence.cache_info().currsize == 0:
        return  # none made yet (the first container): the handlers' imports make them fresh
    for purpose in idempotency.PURPOSES:
        layer = idempotency.persistence(purpose)
        layer.__dict__.update(vars(idempotency.LazyClientLayer(table_name=layer.table_name)))
