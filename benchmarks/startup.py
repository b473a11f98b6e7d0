"""Start-up benchmark: the real ``crmdesk`` command, against ``python -c "import sqlcipher3"``.

    make bench                                  (runs this under tools/with-secret-service)
    tools/with-secret-service .venv/bin/python -m benchmarks.startup [--clients N] [--runs N]

Times, as medians of several runs on this machine, each as a difference to and a ratio
of the baseline (the same Python starting and loading SQLCipher, nothing else):
``crmdesk --version``, ``crmdesk client show ID --json`` on a vault of 100,000 demo
clients (key in the keyring, no sign-in), and the same command signed in with a
password (``--user``, ``--password-stdin``: one Argon2id check). Targets (issue 12):
``--version`` within 0.15 s of the baseline, ``client show --json`` within 0.4 s.

The vault is made once with the demo generator (``crmdesk demo``: 91 s for 100,000
clients on an idle 2-core machine) and kept under ``$TMPDIR/crmdesk-bench/`` with its
recovery key (mode 600; it is demo data): each run puts the key into the keyring it
runs with (``crmdesk recover``), since tools/with-secret-service starts an empty one
every time. Delete that folder to build it again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OWNER_LOGIN = "bench"
OWNER_PASSWORD = "bench password 1"  # a throw-away demo vault's
RECOVERY = re.compile(r"\b(?:[0-9A-Z]{4}-){13}[0-9A-Z]{4}\b")
BASELINE = [sys.executable, "-c", "import sqlcipher3"]
TARGETS = {"crmdesk --version": 0.15, "crmdesk client show ID --json": 0.40}


def crmdesk_command() -> list[str]:
    """The installed ``crmdesk`` script next to this Python, as a user runs it."""
    script = Path(sys.executable).with_name("crmdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crmdesk"]


def run(command: list[str], stdin: str = "", *, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])}... failed: {result.stderr.strip()}")
    return result


@dataclass(frozen=True)
class BenchVault:
    folder: Path
    recovery_key: str
    clients: int


def build_vault(cache: Path, clients: int) -> BenchVault:
    """The demo vault of ``clients`` clients, made once and kept in ``cache``."""
    made = cache / "made.json"
    if made.exists():
        info = json.loads(made.read_text(encoding="utf-8"))
        print(
            f"vault: {cache / 'vault'} (made {info['made_at']}, demo --clients {clients:,} "
            f"took {info['demo_seconds']:.0f} s)"
        )
        return BenchVault(cache / "vault", info["recovery_key"], clients)
    shutil.rmtree(cache, ignore_errors=True)
    building = cache.with_name(cache.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    folder = building / "vault"
    crmdesk = [*crmdesk_command(), "--vault", str(folder)]
    init = run([*crmdesk, "init", "--name", "Bench Mark", "--login", OWNER_LOGIN])
    recovery_key = RECOVERY.search(init.stdout).group(0)  # type: ignore[union-attr]
    print(f"vault: building {clients:,} demo clients (crmdesk demo) in {folder}...")
    started = time.perf_counter()
    run([*crmdesk, "demo", "--clients", str(clients)])
    demo_seconds = time.perf_counter() - started
    run([*crmdesk, "user", "passwd"], stdin=OWNER_PASSWORD + "\n")
    print(f"vault: demo --clients {clients:,} took {demo_seconds:.0f} s")
    info = {
        "made_at": time.strftime("%Y-%m-%d %H:%M"),
        "clients": clients,
        "demo_seconds": demo_seconds,
        "recovery_key": recovery_key,
    }
    fd = os.open(building / "made.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(info, f)
    building.rename(cache)  # complete, or not there at all
    return BenchVault(cache / "vault", recovery_key, clients)


def key_into_this_keyring(vault: BenchVault) -> None:
    crmdesk = [*crmdesk_command(), "--vault", str(vault.folder)]
    if run([*crmdesk, "status"], check=False).returncode == 3:  # no key in this keyring
        run([*crmdesk, "recover"], stdin=vault.recovery_key + "\n")


def time_runs(commands: dict[str, tuple[list[str], str]], runs: int) -> dict[str, list[float]]:
    """Each command ``runs`` times, taking turns so that a change of load hits them all."""
    for command, stdin in commands.values():
        run(command, stdin)  # warm-up: the page cache, Python's bytecode cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, stdin) in commands.items():
            started = time.perf_counter()
            run(command, stdin)
            times[name].append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (median)")
    parser.add_argument(
        "--cache",
        type=Path,
        help="where the demo vault is kept (default: $TMPDIR/crmdesk-bench/startup-N)",
    )
    args = parser.parse_args(argv)
    cache = args.cache or Path(tempfile.gettempdir()) / "crmdesk-bench" / f"startup-{args.clients}"
    vault = build_vault(cache, args.clients)
    key_into_this_keyring(vault)

    crmdesk = crmdesk_command()
    show = ["client", "show", str(max(1, vault.clients // 2)), "--json"]
    at = ["--vault", str(vault.folder)]
    signed_in = [*at, "--user", OWNER_LOGIN, "--password-stdin"]
    commands = {
        'python -c "import sqlcipher3"': (BASELINE, ""),
        "crmdesk --version": ([*crmdesk, "--version"], ""),
        "crmdesk client show ID --json": ([*crmdesk, *at, *show], ""),
        "signed in: crmdesk --user U client show ID --json": (
            [*crmdesk, *signed_in, *show],
            OWNER_PASSWORD + "\n",
        ),
    }
    load_before = os.getloadavg()
    times = time_runs(commands, args.runs)
    load_after = os.getloadavg()

    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians['python -c "import sqlcipher3"']
    print(
        f"\n{args.runs} runs each (medians), {os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after; "
        f"{vault.clients:,} clients; Python {sys.version.split()[0]}\n"
    )
    print(f"| {'command':<50} | {'median':>8} | {'- base':>8} | {'ratio':>6} | {'target':>14} |")
    print(f"|{'-' * 52}|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 16}|")
    missed = []
    for name, median in medians.items():
        target = TARGETS.get(name)
        extra = median - base
        verdict = ""
        if target is not None:
            verdict = f"≤ +{target:.2f} s" + (" ok" if extra <= target else " MISS")
            if extra > target:
                missed.append(name)
        print(
            f"| {name:<50} | {median:>6.3f} s | {extra:>+6.3f} s | {median / base:>5.1f}x "
            f"| {verdict:>14} |"
        )
    if missed:
        print(f"\nmissed the target: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
