"""``signin.json``: sign-in failures counted before anyone has a key to the database.

A failed sign-in opens no key slot, so it cannot be written into the (encrypted) audit
trail at once. It is counted here, per login typed, for throttling, and queued; the next
person who signs in writes the queued failures into the audit trail, signed by them and
naming the login that was typed.

Said plainly (SECURITY.md says it too): anyone with the computer account can edit or
delete this file, and so reset the throttling or drop queued failures. It slows down
guessing through crmdesk; guessing against a copied key file is slowed by Argon2id alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crmdesk.files import write_private
from crmdesk.vault.locks import metadata_lock

SIGNIN_LOG_NAME = "signin.json"
_MAX_QUEUED = 1000  # a flood of failures keeps the newest ones


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed or throttled sign-in waiting to be written into the audit trail."""

    ts: str
    login: str
    action: str  # "signin.failed" or "signin.throttled"
    details: dict[str, Any]


def _path(folder: Path) -> Path:
    return folder / SIGNIN_LOG_NAME


def _read(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads(_path(folder).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"counts": {}, "queue": []}
    except (OSError, ValueError):
        # Unreadable: start again rather than lock everyone out. The audit trail keeps
        # the failures it already received.
        return {"counts": {}, "queue": []}
    if not isinstance(data, dict):
        return {"counts": {}, "queue": []}
    data.setdefault("counts", {})
    data.setdefault("queue", [])
    return data


def _write(folder: Path, data: dict[str, Any]) -> None:
    write_private(_path(folder), (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def blocked_until(folder: Path, login: str) -> datetime | None:
    entry = _read(folder)["counts"].get(login.casefold())
    until = entry.get("blocked_until") if isinstance(entry, dict) else None
    return datetime.fromisoformat(until) if until else None


def count_failure(
    folder: Path,
    login: str,
    moment: datetime,
    blocked: datetime | None,
    details: dict[str, Any],
    *,
    action: str = "signin.failed",
) -> int:
    """One more failure for ``login`` (known or not); returns how many in a row."""
    with metadata_lock(folder):
        data = _read(folder)
        key = login.casefold()
        entry = data["counts"].get(key) or {}
        failures = int(entry.get("failures", 0)) + (1 if action == "signin.failed" else 0)
        data["counts"][key] = {
            "login": entry.get("login", login),
            "failures": failures,
            "last_failure": moment.isoformat(),
            "blocked_until": blocked.isoformat() if blocked else entry.get("blocked_until"),
        }
        queued = {"failures_in_a_row": failures} if action == "signin.failed" else {}
        data["queue"] = [
            *data["queue"][-(_MAX_QUEUED - 1) :],
            {
                "ts": moment.isoformat(),
                "login": login,
                "action": action,
                "details": {**details, **queued},
            },
        ]
        _write(folder, data)
    return failures


def failures_in_a_row(folder: Path, login: str) -> int:
    entry = _read(folder)["counts"].get(login.casefold())
    return int(entry.get("failures", 0)) if isinstance(entry, dict) else 0


def set_blocked(folder: Path, login: str, until: datetime | None) -> None:
    with metadata_lock(folder):
        data = _read(folder)
        entry = data["counts"].setdefault(login.casefold(), {"failures": 0})
        entry["blocked_until"] = until.isoformat() if until else None
        _write(folder, data)


def clear(folder: Path, login: str) -> None:
    """A right password (or a reset by the owner) starts the count again."""
    with metadata_lock(folder):
        data = _read(folder)
        if data["counts"].pop(login.casefold(), None) is not None:
            _write(folder, data)


def queued(folder: Path) -> list[Failure]:
    return [
        Failure(str(q["ts"]), str(q["login"]), str(q["action"]), dict(q.get("details") or {}))
        for q in _read(folder)["queue"]
        if isinstance(q, dict) and {"ts", "login", "action"} <= set(q)
    ]


def drop_queued(folder: Path, recorded: list[Failure]) -> None:
    """Forget the queued failures now written into the audit trail."""
    done = {(f.ts, f.login, f.action) for f in recorded}
    with metadata_lock(folder):
        data = _read(folder)
        data["queue"] = [
            q for q in data["queue"] if (q.get("ts"), q.get("login"), q.get("action")) not in done
        ]
        _write(folder, data)


def carry_over(
    folder: Path, login: str, failures: int, last_failure: str, blocked_until: str | None
) -> None:
    """A count kept by the old format's database, carried over (the upgrade)."""
    with metadata_lock(folder):
        data = _read(folder)
        data["counts"][login.casefold()] = {
            "login": login,
            "failures": failures,
            "last_failure": last_failure,
            "blocked_until": blocked_until,
        }
        _write(folder, data)


def counts(folder: Path) -> dict[str, dict[str, Any]]:
    """Every login's count as kept: login as typed, failures, last failure, blocked until."""
    out = {}
    for key, entry in _read(folder)["counts"].items():
        if isinstance(entry, dict):
            login = str(entry.get("login", key))
            out[login] = {
                "login": login,
                "failures": int(entry.get("failures", 0)),
                "last_failure": entry.get("last_failure"),
                "blocked_until": entry.get("blocked_until"),
            }
    return out
