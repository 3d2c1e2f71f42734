"""Benchmark: import a 5,000-service HSDS 1.1 package (targets: under 15 s, under 500 MB).

Generates a deterministic, realistic 211-style HSDS 1.1 tabular package (CSVs under
``data/``, ``services_at_location.id`` equal to ``service_id`` as in one-to-one exports,
organizations.csv in Windows-1252, regular_schedules, physical and postal addresses,
phones with extensions, languages by name, a taxonomy with AIRS codes, a few broken
links), then times, in fresh processes, ``python -m waystation import-hsds`` on it (the
whole command: start-up, reading, joins, mapping, writing every file, the report) and,
as the floor in the same invocation, merely reading every CSV with the ``csv`` module.
Prints the median of several runs of each, their ratio, and the import's peak RSS.

    python scripts/bench_import.py --count 5000 [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = """
import csv, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob('*.csv')):
    with path.open(encoding='latin-1', newline='') as handle:
        for row in csv.DictReader(handle):
            pass
"""

TERMS = [
    ("FN-1500.3400", "Human Trafficking Victim Services"),
    ("BH-1800.1500", "Domestic Violence Shelters"),
    ("BH-1800.8500", "Homeless Shelter"),
    ("FT-3200", "Immigration Legal Services"),
    ("BD-1800", "Emergency Food"),
    ("RP-1400", "Crisis Intervention"),
] + [
    (f"P{chr(65 + i % 26)}-{1000 + i * 7}.{100 + i}", f"Community Program Type {i}")
    for i in range(194)
]
CITIES = [
    ("Chicago", "IL", "60602"),
    ("Springfield", "IL", "62701"),
    ("Peoria", "IL", "61602"),
    ("Milwaukee", "WI", "53202"),
    ("Gary", "IN", "46402"),
    ("Denver", "CO", "80203"),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _write(path: Path, rows: list[dict], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def generate(root: Path, count: int) -> None:
    rnd = random.Random(17)
    data = root / "data"
    (root / "datapackage.json").parent.mkdir(parents=True, exist_ok=True)
    (root / "datapackage.json").write_text(json.dumps({"name": "bench-211", "resources": []}))
    orgs = max(1, count // 3)
    _write(
        data / "organizations.csv",
        [
            {
                "id": str(o),
                "name": f"Asociación Niños y Familias {o}",
                "description": f"Organización comunitaria {o}: servicios en español e inglés.",
                "email": f"info{o}@example.org",
                "url": f"www.org{o}.example.org",
            }
            for o in range(orgs)
        ],
        encoding="cp1252",
    )
    services, locations, sal, addresses, postal, phones, schedules, languages, links = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for s in range(count):
        sid = str(s)
        kind = rnd.random()
        name = ("Safe House Program" if kind < 0.05 else "Community Services") + f" {s}"
        services.append(
            {
                "id": sid,
                "organization_id": str(s % orgs),
                "name": name,
                "description": f"Service {s} helps people with everyday needs.",
                "status": "active",
                "application_process": "Call or walk in.",
                "fees": "Free",
                "interpretation_services": "",
                "wait_time": "1 week",
                "accrediations": "",
                "licenses": "",
                "taxonomy_ids": "",
                "program_id": "",
                "alternate_name": "",
                "url": "",
                "email": "",
            }
        )
        city, state, zip_code = CITIES[s % len(CITIES)]
        locations.append(
            {
                "id": sid,
                "organization_id": str(s % orgs),
                "name": f"Site {s}",
                "alternate_name": "",
                "description": "",
                "transportation": "Bus 22",
                "latitude": f"{41.8 + rnd.random() / 10:.5f}",
                "longitude": f"{-87.7 + rnd.random() / 10:.5f}",
            }
        )
        sal.append({"id": sid, "service_id": sid, "location_id": sid, "description": ""})
        street = "Confidential" if kind > 0.97 else f"{100 + s} N Main St"
        addresses.append(
            {
                "id": sid,
                "location_id": sid,
                "attention": "",
                "address_1": street,
                "address_2": "",
                "address_3": "",
                "address_4": "",
                "city": city,
                "region": "",
                "state_province": state,
                "postal_code": zip_code,
                "country": "US",
            }
        )
        postal.append(
            {
                "id": sid,
                "location_id": sid,
                "attention": "",
                "address_1": f"PO Box {s}",
                "address_2": "",
                "address_3": "",
                "address_4": "",
                "city": city,
                "region": "",
                "state_province": state,
                "postal_code": zip_code,
                "country": "US",
            }
        )
        phones.append(
            {
                "id": sid,
                "location_id": "",
                "service_id": sid,
                "organization_id": "",
                "contact_id": "",
                "service_at_location_id": "",
                "number": f"(312) 603-{s % 10000:04d}",
                "extension": str(s % 50),
                "type": "voice",
                "language": "en,es",
                "description": "Main line",
                "department": "",
            }
        )
        if s % 3 == 0:
            phones.append(
                {
                    "id": f"f{sid}",
                    "location_id": sid,
                    "service_id": "",
                    "organization_id": "",
                    "contact_id": "",
                    "service_at_location_id": "",
                    "number": f"(312) 744-{s % 10000:04d}",
                    "extension": "",
                    "type": "fax",
                    "language": "",
                    "description": "",
                    "department": "",
                }
            )
        for d, day in enumerate(DAYS):
            schedules.append(
                {
                    "id": f"{sid}-{d}",
                    "service_id": "",
                    "location_id": "",
                    "service_at_location_id": sid,
                    "weekday": day,
                    "opens_at": "09:00",
                    "closes_at": "17:00",
                }
            )
        languages.append(
            {
                "id": sid,
                "service_id": sid,
                "location_id": "",
                "language": rnd.choice(["Spanish", "Polish", "Arabic", "Tagalog"]),
            }
        )
        for t in rnd.sample(range(len(TERMS)), 2):
            links.append(
                {
                    "id": f"{sid}-{t}",
                    "service_id": sid,
                    "taxonomy_id": TERMS[t][0],
                    "taxonomy_detail": "",
                }
            )
    phones.append({**phones[0], "id": "broken", "service_id": "no-such-service"})
    _write(data / "services.csv", services)
    _write(data / "locations.csv", locations)
    _write(data / "services_at_location.csv", sal)
    _write(data / "physical_addresses.csv", addresses)
    _write(data / "postal_addresses.csv", postal)
    _write(data / "phones.csv", phones)
    _write(data / "regular_schedules.csv", schedules)
    _write(data / "languages.csv", languages)
    _write(
        data / "taxonomy.csv",
        [
            {"id": c, "name": n, "parent_id": "", "parent_name": "", "vocabulary": "AIRS"}
            for c, n in TERMS
        ],
    )
    _write(data / "services_taxonomy.csv", links)


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak RSS (KiB) of ``cmd`` in a fresh process.
    CPU time is reported too because on a shared machine wall time mostly measures the
    neighbours."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, after.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="services (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        package = Path(tmp) / "export"
        generate(package, args.count)
        size = sum(p.stat().st_size for p in package.rglob("*.csv")) / 1e6
        print(f"HSDS 1.1 package: {args.count} services, {size:.1f} MB of CSV")
        floor_times, floor_cpu, import_times, import_cpu, peak = [], [], [], [], 0
        written = 0
        for n in range(args.runs):
            elapsed, cpu, _ = run([sys.executable, "-c", FLOOR, str(package)])
            floor_times.append(elapsed)
            floor_cpu.append(cpu)
            out = Path(tmp) / f"providers-{n}"
            cmd = [
                sys.executable,
                "-m",
                "waystation",
                "import-hsds",
                str(package),
                "--out",
                str(out),
                "--today",
                "2026-12-01",
            ]
            elapsed, cpu, peak_kib = run(cmd)
            import_times.append(elapsed)
            import_cpu.append(cpu)
            peak = max(peak, peak_kib)
            written = len(list(out.glob("*.md")))
            shutil.rmtree(out)
        floor, imported = statistics.median(floor_times), statistics.median(import_times)
        floor_c, imported_c = statistics.median(floor_cpu), statistics.median(import_cpu)

        def runs(values: list[float]) -> str:
            return ", ".join(f"{v:.2f}" for v in values)

        print(
            f"floor (csv module reads every CSV): median {floor:.2f} s wall "
            f"({runs(floor_times)}), {floor_c:.2f} s CPU ({runs(floor_cpu)})"
        )
        print(
            f"import-hsds (whole command, {written} files written): median {imported:.2f} s "
            f"wall ({runs(import_times)}), {imported_c:.2f} s CPU ({runs(import_cpu)})"
        )
        print(f"ratio import/floor: {imported / floor:.1f}x wall, {imported_c / floor_c:.1f}x CPU")
        print(f"peak RSS of any run: {peak / 1024:.0f} MB")
        print(
            f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
            f"on {os.cpu_count()} CPUs"
        )
        ok = imported < 15 and peak / 1024 < 500
        print("targets (< 15 s, < 500 MB): " + ("met" if ok else "NOT met"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
