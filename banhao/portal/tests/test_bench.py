"""The benchmark command and the bench package (bench/ at the repository root)."""

import json
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import bench
from banhao.portal.management.commands.bench import format_table

pytestmark = pytest.mark.django_db


def test_generate_scenario_reports_real_figures_as_json():
    out, err = StringIO(), StringIO()
    call_command("bench", "generate", "--volume", "300", "--json", stdout=out, stderr=err)

    result = json.loads(out.getvalue())
    assert result["cpu_count"] == os.cpu_count()
    records = result["records"]
    assert [r["operation"] for r in records] == ["insert persons", "insert enterprises"]
    assert [r["volume"] for r in records] == [300, 30]
    for r in records:
        assert tuple(r) == bench.RECORD_KEYS
        assert set(r) == {
            "scenario",
            "operation",
            "database",
            "volume",
            "seconds",
            "throughput_per_s",
            "p50_ms",
            "p95_ms",
        }
        assert r["scenario"] == "generate"
        assert r["database"].startswith(connection.vendor + " ")
        assert r["seconds"] > 0
        assert r["throughput_per_s"] > 0
        assert r["p50_ms"] is None
        assert r["p95_ms"] is None
    # Progress went to stderr, not into the JSON.
    assert "Migrating" in err.getvalue()


def test_the_throwaway_database_is_removed_afterwards(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with bench.throwaway_database() as db:
        location = db.location
        db.manage("migrate", "--verbosity", "0")
    if db.vendor == "sqlite":
        assert list(tmp_path.iterdir()) == []
    else:
        name = location.rsplit("/", 1)[1]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone()[0] == 0


def test_a_failing_command_raises_bench_error_with_its_output():
    with bench.throwaway_database() as db, pytest.raises(bench.BenchError, match="generate"):
        # Not migrated: the command fails.
        db.manage("generate", "--persons", "1", "--enterprises", "0")


def test_unknown_and_missing_scenarios_are_refused():
    with pytest.raises(CommandError, match="available: .*generate"):
        call_command("bench", "nonsense", stdout=StringIO())
    with pytest.raises(CommandError, match="Name a scenario"):
        call_command("bench", stdout=StringIO())


def test_list_shows_registered_scenarios():
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    assert "generate" in out.getvalue()
    assert "500,000" in out.getvalue()


def test_a_registered_scenario_runs_with_its_default_volume():
    calls = []

    @bench.scenario("test-only", default_volume=7, description="for this test")
    def run(context):
        calls.append(context.volume)
        return [
            bench.record(
                scenario="test-only",
                operation="noop",
                database=bench.database_label(),
                volume=context.volume,
                seconds=0.5,
                throughput_per_s=bench.throughput(context.volume, 0.5),
                p50_ms=1.0,
                p95_ms=2.0,
            )
        ]

    try:
        out = StringIO()
        call_command("bench", "test-only", "--json", stdout=out, stderr=StringIO())
        (only,) = json.loads(out.getvalue())["records"]
        assert calls == [7]
        assert only["throughput_per_s"] == 14.0
        assert only["p95_ms"] == 2.0
    finally:
        del bench.registry._REGISTRY["test-only"]


def test_records_without_the_standard_keys_are_refused():
    @bench.scenario("test-bad", default_volume=1, description="for this test")
    def run(context):
        return [{"scenario": "test-bad", "seconds": 1}]

    try:
        with pytest.raises(CommandError, match="bench.record"):
            call_command("bench", "test-bad", stdout=StringIO())
    finally:
        del bench.registry._REGISTRY["test-bad"]


def test_a_failed_scenario_keeps_the_other_figures_and_fails_at_the_end():
    @bench.scenario("test-fails", default_volume=1, description="for this test")
    def fails(context):
        raise bench.BenchError("the check constraint refused a row")

    @bench.scenario("test-works", default_volume=3, description="for this test")
    def works(context):
        return [
            bench.record(
                scenario="test-works",
                operation="noop",
                database=bench.database_label(),
                volume=context.volume,
                seconds=1.0,
                throughput_per_s=bench.throughput(context.volume, 1.0),
                p50_ms=None,
                p95_ms=None,
            )
        ]

    try:
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match="test-fails failed: the check constraint"):
            call_command("bench", "test-fails", "test-works", stdout=out, stderr=err)
        assert "test-works  noop" in out.getvalue()
        assert "test-fails failed" in err.getvalue()
    finally:
        del bench.registry._REGISTRY["test-fails"]
        del bench.registry._REGISTRY["test-works"]


def test_table_is_aligned_with_dashes_for_missing_figures():
    records = [
        bench.record(
            scenario="generate",
            operation="insert persons",
            database="sqlite 3.40.1",
            volume=500_000,
            seconds=61.234,
            throughput_per_s=8165.4,
        ),
        bench.record(
            scenario="x",
            operation="page",
            database="postgresql 15.20",
            volume=10,
            seconds=1,
            throughput_per_s=10,
            p50_ms=12.5,
            p95_ms=40,
        ),
    ]
    lines = format_table(records).splitlines()
    assert lines[0].split() == [
        "scenario",
        "operation",
        "database",
        "volume",
        "seconds",
        "per",
        "second",
        "p50",
        "ms",
        "p95",
        "ms",
    ]
    assert lines[2].split()[-5:] == ["500,000", "61.23", "8,165", "-", "-"]
    assert lines[3].split()[-5:] == ["10", "1.00", "10", "12.50", "40.00"]
    assert len({len(line) for line in lines[:2]}) == 1


def test_percentiles_nearest_rank():
    assert bench.percentiles(list(range(1, 101)), 50, 95) == [50, 95]
    assert bench.percentiles([], 50, 95) == [None, None]
    assert bench.throughput(0, 1.0) is None


def test_latency_record_gives_percentiles_and_throughput():
    from bench import latency_record

    samples = [float(ms) for ms in range(1, 101)]
    r = latency_record(samples, 2.0, scenario="s", operation="o", database="d")
    assert (r["volume"], r["p50_ms"], r["p95_ms"], r["throughput_per_s"]) == (100, 50.0, 95.0, 50.0)
    # Without a wall-clock time, the timings' sum is the time spent.
    assert (
        latency_record([10.0, 30.0], scenario="s", operation="o", database="d")["seconds"] == 0.04
    )
