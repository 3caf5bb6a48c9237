"""Scenario ``policies``: match every enterprise against 200 policies, reading the facts from
the database.

In a throwaway database: migrate, seed, ``banhao generate`` 10 × ``volume`` persons and
``volume`` enterprises (default 500,000 and 50,000), then ``banhao generate_policies`` 200 varied
active policies (1–5 clauses each, every operator). In one process, time — each three times,
median reported — the two database strategies of ``banhao.policies.matching``:

* one query per policy returning the matching ids;
* one scan with a bit column per 62 policies (CASE WHEN … THEN 2^i), split over the cores;

and, as a reference only, the same rules vectorised with NumPy in memory (facts read in one
query, then evaluated), also checking that it finds exactly the same pairs. Then the whole
nightly job twice (``banhao match_policies``): the first run stores every match; the second
finds nothing new and writes and sends nothing. Finally the archive pages
(``bench/scenarios/archive_pages.py``, from the archives work) on the same data.
Target (issue 7): matching under 1.5 s on SQLite and on PostgreSQL.
"""

import json

from bench import Context, record, scenario, throughput, throwaway_database

SEED = 2024
POLICIES = 200
RUNS = 3

TIMING = f"""
import json, statistics, time
from django.utils import timezone
from banhao.policies import matching, services
as_of = timezone.localdate()
began = time.perf_counter()
compiled = matching.compile_policies(list(services.live_policies(as_of)), as_of)
out = {{"compile": time.perf_counter() - began, "policies": len(compiled.policies),
       "broken": len(compiled.broken)}}
results = {{}}
for name in ("per_policy", "scan"):
    times, cpu = [], []
    for _ in range({RUNS}):
        began, began_cpu = time.perf_counter(), time.process_time()
        results[name] = matching.matching_ids(compiled.policies, name)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    out[name] = statistics.median(times)
    out[name + "_all"] = [round(t, 3) for t in times]
    # CPU seconds of this process (all threads): the database's own work on SQLite only.
    out[name + "_cpu"] = round(statistics.median(cpu), 3)
    out[name + "_pairs"] = sum(len(v) for v in results[name].values())
loads, evals = [], []
for _ in range({RUNS}):
    began = time.perf_counter()
    arrays = matching.load_fact_arrays(as_of)
    loaded = time.perf_counter()
    reference = matching.numpy_reference(compiled.policies, arrays)
    loads.append(loaded - began)
    evals.append(time.perf_counter() - loaded)
out["numpy_load"] = statistics.median(loads)
out["numpy_eval"] = statistics.median(evals)
out["numpy"] = statistics.median(a + b for a, b in zip(loads, evals))
out["numpy_pairs"] = sum(len(v) for v in reference.values())
out["differences"] = sum(
    len(set(reference[k].tolist()) ^ set(results["scan"][k].tolist())) for k in reference
) + sum(
    len(set(results["per_policy"][k].tolist()) ^ set(results["scan"][k].tolist()))
    for k in reference
)
out["enterprises"] = len(arrays["pk"])
out["workers"] = matching.PARALLEL_WORKERS
print(json.dumps(out))
"""


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@scenario(
    "policies",
    default_volume=50_000,
    description="match `volume` enterprises (and 10 × volume persons in the archives) against "
    "200 policies in the database: one query per policy vs one scan; NumPy as reference; the "
    "nightly job twice; then the archive pages. Target < 1.5 s",
)
def run(context: Context) -> list[dict]:
    enterprises = context.volume
    persons = enterprises * 10
    records = []
    with throwaway_database(keep=context.keep, log=context.log) as db:
        context.log(f"Throwaway {db.label} database: {db.location}")
        db.manage("migrate", "--verbosity", "0")
        db.manage("seed")
        context.log(f"Generating {persons:,} persons and {enterprises:,} enterprises …")
        generated = _last_json(
            db.manage(
                "generate",
                "--persons",
                str(persons),
                "--enterprises",
                str(enterprises),
                "--seed",
                str(SEED),
                "--json",
            )
        )
        context.log(
            f"  generated in {generated['persons_seconds'] + generated['enterprises_seconds']:.0f} s"
        )
        made = _last_json(
            db.manage("generate_policies", "--count", str(POLICIES), "--seed", str(SEED), "--json")
        )
        context.log(f"{made['policies']} policies with {made['clauses']} clauses created.")
        if db.vendor == "postgresql":  # fresh statistics, as autovacuum keeps them in use
            db.manage(
                "shell",
                "--verbosity",
                "0",
                "--command",
                "from django.db import connection; connection.cursor().execute('ANALYZE')",
            )
        context.log("Timing the matching …")
        timing = _last_json(db.manage("shell", "--verbosity", "0", "--command", TIMING))
        context.log(
            f"  per policy {timing['per_policy_all']} s (CPU {timing['per_policy_cpu']} s), "
            f"scan {timing['scan_all']} s (CPU {timing['scan_cpu']} s, {timing['workers']} "
            f"threads), NumPy load {timing['numpy_load']:.3f} s + "
            f"evaluate {timing['numpy_eval']:.3f} s; {timing['scan_pairs']:,} eligible pairs; "
            f"differences between the three: {timing['differences']}"
        )
        if timing["differences"]:
            context.log("  WARNING: the strategies disagree; see the differences above.")
        count = timing["enterprises"]
        pairs = count * timing["policies"]
        label = f"{count:,} enterprises × {timing['policies']} policies"
        for key, operation in (
            ("per_policy", f"match {label}: one query per policy"),
            ("scan", f"match {label}: one scan, a bit column per 62 policies"),
            ("numpy", f"match {label}: NumPy in memory, facts read in one query (reference)"),
        ):
            records.append(
                record(
                    scenario="policies",
                    operation=operation,
                    database=db.label,
                    volume=pairs,
                    seconds=timing[key],
                    throughput_per_s=throughput(pairs, timing[key]),
                )
            )
        for run_name in ("first run, stores matches and grants", "second run, nothing new"):
            context.log(f"banhao match_policies ({run_name}) …")
            job = _last_json(db.manage("match_policies", "--json"))
            context.log(
                f"  {job['eligible']:,} eligible, {job['new_matches']:,} new, "
                f"{job['notified']} told, {job['without_account']:,} without an account, "
                f"{job['grants_granted']} granted, {job['grants_pending']} pending; matching "
                f"{job['match_seconds']:.2f} s of {job['seconds']:.2f} s"
            )
            records.append(
                record(
                    scenario="policies",
                    operation=f"nightly job ({run_name})",
                    database=db.label,
                    volume=job["eligible"],
                    seconds=job["seconds"],
                    throughput_per_s=throughput(job["eligible"], job["seconds"]),
                )
            )
        try:
            from bench.scenarios.archive_pages import measure_archive_pages
        except ImportError:
            context.log(
                "Archive pages NOT measured: bench/scenarios/archive_pages.py "
                "(measure_archive_pages) is not in this checkout yet."
            )
        else:
            records.extend(measure_archive_pages(db, context.log))
    return records
