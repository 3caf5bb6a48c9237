"""SMS backends. Chosen by BANHAO_SMS_BACKEND; the embedded default writes to files."""

import json
import threading
import urllib.request
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class BaseBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, phone: str, text: str) -> None:
        print(f"[SMS to {phone}] {text}")  # noqa: T201


class FileBackend(BaseBackend):
    """Appends one JSON line per message to var/sms/YYYY-MM-DD.jsonl."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.BANHAO_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now()
        line = json.dumps({"at": now.isoformat(), "to": phone, "text": text}, ensure_ascii=False)
        with open(folder / f"{now:%Y-%m-%d}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class MemoryBackend(BaseBackend):
    """For tests: messages collect in ``MemoryBackend.outbox``."""

    outbox: list[dict] = []
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            MemoryBackend.outbox.append({"to": phone, "text": text})


class HttpGatewayBackend(BaseBackend):
    """A JSON-over-HTTPS SMS gateway: POST {"to", "text"} with a bearer token.

    Provincial platforms and commercial gateways differ in their field names; this backend
    covers the common shape and is the template for a site-specific one.
    """

    def send(self, phone: str, text: str) -> None:
        url = settings.BANHAO_SMS_GATEWAY_URL
        if not url:
            raise SmsError("BANHAO_SMS_GATEWAY_URL is not set")
        body = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (URL comes from the operator's config)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.BANHAO_SMS_GATEWAY_TOKEN or ''}",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise SmsError(f"gateway answered {response.status}")


def get_backend() -> BaseBackend:
    return import_string(settings.BANHAO_SMS_BACKEND)()
