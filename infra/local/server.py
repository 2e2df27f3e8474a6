"""`make dev`: the local stack over HTTP on one port.

/api/*              the real API function, as HTTP API payload 2.0 events
/_local/outbox      every email SES accepted (JSON); /_local/outbox.html for people
/_local/schedule    POST {"now": ...}: move the clock forward, run scheduled functions, drain
/_local/inbound     POST a raw RFC 5322 message: received as SES receiving would (202); SMTP takes mail too
/_local/ses-events  POST SES's bounce or complaint record (or its EventBridge event): the template's rule delivers it
/_local/s3/...      S3's presigned POST uploads and GET downloads, served from moto (infra/local/blobs.py)
/                   the static site (infra/site)

A background thread feeds stream records and queue messages to their functions as they appear.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import re
import signal
import sys
import threading
import time
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape
from werkzeug.security import safe_join
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from infra.local import blobs, inbound, mail_events, smtp
from infra.local.engine import ROOT, ClockError, LocalStack
from infra.local.template import load_yaml, security_headers

SITE = ROOT / "infra" / "site"
POLL_SECONDS = 0.05
# The headers CloudFront sets on the deployed site, read from its ResponseHeadersPolicies in template.yaml:
# nothing runs that the site did not ship. The Swagger UI page at /api/docs inlines its script, so it has
# its own looser policy; the API's JSON gets one that allows nothing.
_TEMPLATE = load_yaml(ROOT / "template.yaml")
SECURITY_HEADERS = security_headers(_TEMPLATE, "SiteHeadersPolicy")
API_HEADERS = security_headers(_TEMPLATE, "ApiHeadersPolicy")
API_DOCS_HEADERS = security_headers(_TEMPLATE, "ApiDocsHeadersPolicy")

OUTBOX_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local outbox</title>
<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/styles.css"></head>
<body><main class="page"><h1>Local outbox</h1>
<p>{{ messages|length }} email{{ '' if messages|length == 1 else 's' }} sent, newest first.
This page is the local stack's stand-in for everyone's inbox.</p>
{% for m in messages|reverse %}<article class="card mail">
<h2>{{ m.subject }}</h2>
<p class="meta">To {{ m.to|join(", ") }} &middot; from {{ m.from }} &middot; {{ m.sent_at }}</p>
{% if m.reply_to %}<p class="meta">Replies go to <code>{{ m.reply_to }}</code></p>{% endif %}
<pre>{{ linkify(m.text) }}</pre>
{% if m.attachments %}<p class="meta">Attachments:</p><ul>{% for a in m.attachments %}
<li>{{ a.filename or "(no name)" }} &middot; {{ a.content_type }} &middot; {{ a.size }} bytes</li>
{% endfor %}</ul>{% endif %}
{% if m.reply_to %}<form method="post" action="/_local/inbound"><input type="hidden" name="message" value="{{ m.id }}">
<label>Reply as {{ m.to[0] }}<br><textarea name="body" rows="3" cols="60" required></textarea></label><br>
<button type="submit">Send reply</button></form>{% endif %}
<details><summary>Headers</summary><dl>{% for name, value in m.headers.items() %}
<dt>{{ name }}</dt><dd><code>{{ value }}</code></dd>{% endfor %}</dl></details>
</article>{% else %}<p>No email yet. Submit a ticket on the <a href="/">form</a>.</p>{% endfor %}
</main></body></html>"""
)


def linkify(text: str) -> Markup:
    """Escape the text, then make the http(s) links in it clickable."""
    escaped = str(escape(text))
    linked = re.sub(r"(https?://[^\s<>&]+(?:&amp;[^\s<>&]+)*)", r'<a href="\1">\1</a>', escaped)
    return Markup(linked)  # noqa: S704 (built from text escaped above)


class LocalServer:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self._stop = threading.Event()

    # WSGI ------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:  # the local stack itself failing is a 500 with a message, never a dropped socket
            import traceback

            traceback.print_exc()
            response = self._json({"message": "The local stack failed; see its console."}, 500)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/api" or path.startswith("/api/"):
            return self.api(request)
        if path == "/_local/outbox":
            return self._only(request, "GET", lambda: self._json({"messages": self.stack.outbox()}))
        if path == "/_local/outbox.html":
            return self._only(request, "GET", self.outbox_page)
        if path == "/_local/schedule":
            return self._only(request, "POST", lambda: self.schedule(request))
        if path == "/_local/inbound":
            return self._only(request, "POST", lambda: self.receive(request))
        if path == "/_local/ses-events":
            return self._only(request, "POST", lambda: self.ses_event(request))
        if blobs.serves(path):  # presigned S3 links (infra/local/blobs.py)
            return blobs.handle(request)
        return self._only(request, "GET", lambda: self.static(path))

    def api(self, request: Request) -> Response:
        result = self.stack.http(
            request.method,
            request.path,
            query=request.query_string.decode("latin-1"),
            headers=dict(request.headers.items()),
            body=request.get_data(cache=False),
            source_ip=request.remote_addr or "127.0.0.1",
        )
        response = Response(result.body, status=result.status)
        for key, value in result.headers.items():
            response.headers[key] = value
        for cookie in result.cookies:
            response.headers.add("Set-Cookie", cookie)
        for key, value in (API_DOCS_HEADERS if request.path == "/api/docs" else API_HEADERS).items():
            response.headers[key] = value
        return response

    def schedule(self, request: Request) -> Response:
        try:
            payload = json.loads(request.get_data(cache=False) or b"{}")
            moment = datetime.fromisoformat(str(payload["now"]).replace("Z", "+00:00"))
        except (ValueError, KeyError, TypeError):
            return self._json({"message": 'Send {"now": "2026-11-24T09:00:00Z"}.'}, 400)
        try:
            ran = self.stack.run_schedule(moment)
        except ClockError as exc:
            return self._json({"message": str(exc)}, 409)
        return self._json({"now": self.stack.now().isoformat(), "ran": ran})

    def receive(self, request: Request) -> Response:
        """A raw message in the body, received as SES receiving would receive it; recipients from To and Cc.
        The outbox page's reply form posts here too (a form, not a message): the reply its recipient sends."""
        if request.mimetype == "application/x-www-form-urlencoded":
            return self.reply_from_outbox(request)
        raw = request.get_data(cache=False)
        if not raw.strip():
            return self._json({"message": "Send a raw RFC 5322 message as the body."}, 400)
        try:
            message_id = inbound.deliver(self.stack, raw)
        except inbound.NotAccepted as exc:
            return self._json({"message": f"SES would refuse this message: {exc}."}, 422)
        return self._json({"message_id": message_id}, 202)

    def ses_event(self, request: Request) -> Response:
        """SES's report of a bounce or complaint, through the template's EventBridge rule (mail_events.py)."""
        try:
            invoked = mail_events.publish(self.stack, json.loads(request.get_data(cache=False) or b"null"))
        except (ValueError, mail_events.NotAnSesEvent) as exc:  # JSONDecodeError is a ValueError
            return self._json({"message": str(exc)}, 400)
        return self._json({"invoked": invoked}, 202)

    def reply_from_outbox(self, request: Request) -> Response:
        mail = next((m for m in self.stack.outbox() if m["id"] == request.form.get("message")), None)
        text = request.form.get("body", "")
        if mail is None or not mail.get("reply_to") or not text.strip():
            return self._json({"message": "Reply to an email in the outbox that has a Reply-To, with a text."}, 422)
        inbound.deliver(self.stack, inbound.reply_as_recipient(mail, text), mail_from=mail["to"][0])
        return Response(status=303, headers={"Location": "/_local/outbox.html"})

    def outbox_page(self) -> Response:
        html = OUTBOX_PAGE.render(messages=self.stack.outbox(), linkify=linkify)
        return Response(html, mimetype="text/html", headers=SECURITY_HEADERS)

    def static(self, path: str) -> Response:
        relative = path.lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        target = safe_join(str(SITE), relative)
        if target is None or not Path(target).is_file():
            return self._json({"message": f"No such page: {path}"}, 404)
        mimetype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if mimetype == "text/javascript":
            mimetype = "application/javascript"
        return Response(Path(target).read_bytes(), mimetype=mimetype, headers=SECURITY_HEADERS)

    @staticmethod
    def _only(request: Request, method: str, handler: Any) -> Response:
        allowed = {method, "HEAD"} if method == "GET" else {method}
        if request.method not in allowed:
            response = LocalServer._json({"message": f"{request.method} is not allowed here."}, 405)
            response.headers["Allow"] = ", ".join(sorted(allowed))
            return response
        return handler()

    @staticmethod
    def _json(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    # streams ---------------------------------------------------------------
    def poll_streams(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.stack.pump()
            except Exception:
                import traceback

                traceback.print_exc()
                delivered = 0
            if not delivered:
                self._stop.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "WARNING"))
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", message="No application metrics to publish")
    started = time.perf_counter()
    base = f"http://{args.host}:{args.port}"
    stack = LocalStack(site_url=base, log_level=args.log_level.upper()).start()
    server = LocalServer(stack)
    httpd = make_server(args.host, args.port, server, threaded=True)
    poller = threading.Thread(target=server.poll_streams, name="stream-poller", daemon=True)
    poller.start()
    smtp_port = int(os.environ.get("SMTP_PORT", "2525"))
    try:
        listener = smtp.start(stack, args.host, smtp_port)
        smtp_line = f"SMTP {args.host}:{smtp_port} (reply to the outbox's emails, or write to support@pennydesk.local)"
    except OSError as exc:
        listener = None
        smtp_line = f"not listening: port {smtp_port} is taken ({exc.strerror}); set SMTP_PORT"

    def shutdown(*_: object) -> None:
        server.stop()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print(
        f"Pennydesk local stack ready in {time.perf_counter() - started:.1f}s\n"
        f"  site           {base}/\n"
        f"  API            {base}/api/  (OpenAPI {base}/api/openapi.json, docs {base}/api/docs)\n"
        f"  outbox         {base}/_local/outbox.html  (JSON: {base}/_local/outbox)\n"
        f"  schedule       POST {base}/_local/schedule {{\"now\": \"...\"}}\n"
        f"  inbound mail   {smtp_line}; or POST a raw message to {base}/_local/inbound\n"
        f"  mail problems  POST SES's bounce or complaint record to {base}/_local/ses-events\n"
        f"  agents         {', '.join(a for a in _seeded_agents())}\n"
        "Ctrl-C stops it.",
        flush=True,
    )
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        server.stop()
        if listener is not None:
            listener.stop()
        stack.stop()
        print("Pennydesk local stack stopped.", flush=True)
    return 0


def _seeded_agents() -> list[str]:
    seed = json.loads((ROOT / "infra" / "seed.json").read_text())
    return [f"{a['name']} <{a['email']}>" for a in seed.get("agents", [])]


if __name__ == "__main__":
    sys.exit(main())
