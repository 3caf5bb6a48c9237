"""A department system's webhook receiver, standalone (standard library only), for the tests.

    python receiver.py --secret S --record FILE [--fail-first N] [--delay SECONDS]

Listens on a free port of 127.0.0.1 and prints it as its first line. Each POST is checked as
docs/adr/0017-outbound-webhooks.md tells receivers to: the HMAC-SHA256 of "{t}.{body}" with
the secret, against every v1 of the Banhao-Signature header, and a timestamp within five
minutes. A request that passes is written to FILE ("ok <event id>", flushed to disk) before
the 2xx goes out, as a receiver that keeps events would; the first N valid requests are
answered 500 instead ("fail <event id>"); a bad signature gets 401 ("bad").
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for name, value in fields if name == "t"]
    signatures = [value for name, value in fields if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        return False
    if abs(time.time() - int(stamps[0])) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamps[0].encode() + b"." + body, hashlib.sha256)
    return any(hmac.compare_digest(expected.hexdigest(), s) for s in signatures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    lock = threading.Lock()
    failed = [0]

    def write(line: str) -> None:
        with lock, open(args.record, "a") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the standard library's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not verify(args.secret, self.headers.get("Banhao-Signature", ""), body):
                write("bad")
                return self.answer(401)
            event_id = json.loads(body)["id"]
            if event_id != self.headers.get("Banhao-Event-Id"):
                write("bad")
                return self.answer(400)
            time.sleep(args.delay)
            with lock:
                fail = failed[0] < args.fail_first
                failed[0] += fail
            if fail:
                write(f"fail {event_id}")
                return self.answer(500)
            write(f"ok {event_id}")
            return self.answer(200)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
