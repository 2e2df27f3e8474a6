"""moto for the cold-start children, in a process of its own (`python -m bench.moto_proxy`): provisions
template.yaml on an in-process moto, prints `READY <port> <functions' environment as JSON>`, then answers
AWS requests sent to http://127.0.0.1:<port> (a child's AWS_ENDPOINT_URL) as moto would, so the children
measured never import moto. (moto's own server needs Flask, which this project does not install.)
"""

from __future__ import annotations

import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from infra.local.engine import ROOT
from infra.local.provisioning import create_resources
from infra.local.template import Template

# The signing name in a request's credential scope, where the service's host name differs from it.
HOST_PREFIX = {"ses": "email"}
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")
stubber = BotocoreStubber()


class AwsOnMoto(BaseHTTPRequestHandler):
    """Rewrites the request to the AWS host its signature names and hands it to moto's request router."""

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        region, service = SCOPE.search(self.headers.get("authorization", "")).groups()  # type: ignore[union-attr]
        host = f"{HOST_PREFIX.get(service, service)}.{region}.amazonaws.com"
        if self.headers.get("x-amz-target", "").startswith("DynamoDBStreams_"):  # signed as dynamodb
            host = f"streams.{host}"
        headers = HTTPHeaders()
        for key, value in self.headers.items():
            headers[key] = host if key.lower() == "host" else value
        request = AWSPreparedRequest(self.command, f"https://{host}{self.path}", headers, body, stream_output=False)
        status, reply_headers, reply = stubber.process_request(request) or (404, {}, b"no such AWS endpoint")
        data = reply.encode("utf-8") if isinstance(reply, str) else reply
        self.send_response(status)
        for key, value in reply_headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "server", "date"):
                self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _answer

    def log_message(self, *_: object) -> None:
        return


def main(overrides: dict[str, str]) -> None:
    with mock_aws():
        template = Template.load(ROOT / "template.yaml", overrides)
        resolved = create_resources(template)
        env = {
            name: str(template.evaluate(value, resolved))
            for spec in template.functions()
            for name, value in spec.environment.items()
        }
        server = ThreadingHTTPServer(("127.0.0.1", 0), AwsOnMoto)
        print("READY", server.server_address[1], json.dumps(env), flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
