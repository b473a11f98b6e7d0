"""crmdesk benchmark: encryption's cost, the bulk paths, and an audit trail of years.

    make bench                            # everything at full size (see below)
    make bench ARGS="--only audit,sync"   # some sections: clients, bulk, audit, sync
    make bench ARGS="--clients 20000 --entries 200000"
    make bench-smoke                      # every benchmark, small (200 clients): under 2 min

Sections:

* ``clients``: a vault of ``--clients`` demo clients (``demo``) and an unencrypted copy
  of it (:mod:`benchmarks.plain`: the same code opens and uses both, so that the ratio
  measures encryption only); the same service calls on both: opening, the first page of
  the list, search-as-you-type over real name prefixes, a client in full with its view
  recorded in the audit trail, creating and updating a client.
* ``bulk``: on that vault, a backup, a CSV export of every client, and the list report
  of every client in a child process (its time and peak memory).
* ``audit``: a vault whose trail holds ``--entries`` entries over three years of five
  people: ``audit verify``, the Activity page's first screen under several filters,
  alerts over a year, and the Access report of a year of the busiest person in a child
  process (time and peak memory).
* ``sync``: an office of ``--office-clients`` demo clients and a salesperson's laptop
  syncing through a plain folder (the office's first sync, the laptop's, 10,000 edited
  fields applied, bytes of change file per field), and an edit's way from the office to
  the laptop through two Syncthing daemons on the loopback interface
  (:mod:`benchmarks.sync_speed`; ``python -m benchmarks.sync_speed`` runs it alone).

How long, on the 2-core build machine shared with other work (2026-12-04, before issue
19's fixes): the audit section at 1,000,000 entries 20 minutes at a load average of 12
(6.5 minutes of CPU in all; wall: building the trail 2.5 minutes, each ``audit verify``
4.5, the Access report 5); ``clients,bulk`` at 20,000 clients 2.7 minutes at a load of 8
(not yet timed at 100,000). Idle, with the targets met, the whole ``make bench`` should
stay within 25 minutes. The sync section at 10,000 clients took over 50 minutes at a load
of 3 to 8 (2026-12-04): its syncs grow with the square of the office's clients (the
README's "An office syncing" says where the time goes); ``--office-clients 2000`` takes
about 5 minutes of CPU.

Each figure is printed as it comes with its target; at the end, the README's table in
Markdown with the date, the machine's load average at the start and every target (the
targets are issue 5's, 12's and 19's, for the full sizes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import bulk, encrypted, sync_speed, trail
from benchmarks.common import Figures, load_average, markdown

SECTIONS = ("clients", "bulk", "audit", "sync")
SMOKE_CLIENTS, SMOKE_ENTRIES = 200, 5_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit entries")
    parser.add_argument(
        "--office-clients", type=int, default=10_000, help="the sync section's office"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_CLIENTS} clients, {SMOKE_ENTRIES:,} entries: every path, quickly",
    )
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--keep", metavar="DIR", help="make the vaults here and keep them")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}: choose from {', '.join(SECTIONS)}")
    clients, entries = (
        (SMOKE_CLIENTS, SMOKE_ENTRIES) if args.smoke else (args.clients, args.entries)
    )

    started, load = dt.datetime.now(dt.UTC), load_average()
    began = time.perf_counter()
    print(f"crmdesk benchmark {started:%Y-%m-%d %H:%M} UTC, load average {load}", flush=True)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures = Figures()
    try:
        if "clients" in only or "bulk" in only:
            print(f"\n== a vault of {clients:,} demo clients, in {work / 'vault'}", flush=True)
            vault = encrypted.build(work / "vault", clients, figures)
            if "clients" in only:
                print("\n== encrypted and plain SQLite, the same calls", flush=True)
                encrypted.measure(vault, figures, samples=25 if args.smoke else 100)
            if "bulk" in only:
                print("\n== bulk paths", flush=True)
                bulk.measure(vault, work, figures)
        if "audit" in only:
            print(f"\n== an audit trail of {entries:,} entries, in {work / 'trail'}", flush=True)
            made = trail.build(work / "trail", entries)
            trail.measure(made, work, figures)
        if "sync" in only:
            sizes = sync_speed.SMOKE if args.smoke else sync_speed.full(args.office_clients)
            print(f"\n== an office of {sizes['clients']:,} clients syncing", flush=True)
            sync_speed.measure(work / "sync", figures, **sizes, smoke=args.smoke)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    minutes = (time.perf_counter() - began) / 60
    title = "Smoke run (small sizes: the targets are for the full run)" if args.smoke else "Run"
    print(f"\n{markdown(figures, title=title, started=started, load=load)}")
    print(f"\n(the sections {', '.join(only)} took {minutes:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
