"""Shared pytest fixtures for unit, API and browser tests.

When CELERY_BROKER_URL is set (the PostgreSQL run of .ci/run), background jobs go through a real
Celery worker: this file starts one for the test session, pointed at the test database.
"""

import os
import socket
import subprocess
import sys
import time

import pytest


@pytest.fixture(scope="session", autouse=True)
def celery_worker_process(django_db_setup, django_db_blocker):
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from banhao.celery import app

    db = settings.DATABASES["default"]
    # One queue per test process: with pytest-xdist each process has its own database and its
    # own worker, and must not receive jobs queued by another process.
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    queue = f"banhao-test-{os.getpid()}-{worker_id}"
    app.conf.task_default_queue = queue
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "banhao.settings.test"
    # The test database, not the configured one: pytest-django renamed it to test_<name>.
    env["BANHAO_DATABASE_NAME"] = db["NAME"]
    env["DATABASE_CONN_MAX_AGE"] = "0"
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "banhao",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "--hostname",
            f"{queue}@%h",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[f"{queue}@{socket.gethostname()}"], timeout=1.0):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.exit(
                "The Celery worker did not start; is Redis running at CELERY_BROKER_URL?", 3
            )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
