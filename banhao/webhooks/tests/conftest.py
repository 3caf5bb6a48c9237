import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RECEIVER = Path(__file__).with_name("receiver.py")


@dataclass
class Receiver:
    """A receiver process (receiver.py) and what it wrote down."""

    secret: str
    record: Path
    process: subprocess.Popen = field(repr=False)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def lines(self) -> list[str]:
        return self.record.read_text().splitlines() if self.record.exists() else []

    def received(self) -> list[str]:
        """Event ids answered 2xx, in order, repeats kept."""
        return [line.split()[1] for line in self.lines() if line.startswith("ok ")]


@pytest.fixture
def start_receiver(tmp_path):
    started: list[Receiver] = []

    def start(secret: str, *, fail_first: int = 0, delay: float = 0.0) -> Receiver:
        record = tmp_path / f"received-{len(started)}.log"
        process = subprocess.Popen(  # noqa: S603 - our own script
            [
                sys.executable,
                str(RECEIVER),
                "--secret",
                secret,
                "--record",
                str(record),
                "--fail-first",
                str(fail_first),
                "--delay",
                str(delay),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        receiver = Receiver(secret=secret, record=record, process=process)
        receiver.port = int(process.stdout.readline())
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.process.kill()
        receiver.process.wait(timeout=10)
