"""Audit entries in words: action families, actions, objects and details for people.

Pure presentation (no Qt): what the Activity page shows for the audit entries the
activity service returns. The details of an entry are never shown as raw JSON: a short
summary goes in the table, the whole of them (still in words) in the side panel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmdesk.domain.action_words import action_words as said
from crmdesk.domain.alerts import (
    AFTER_HOURS_EGRESS,
    BULK_READING,
    DAY_NAMES,
    FAILED_SIGNINS,
    LARGE_EGRESS,
    REFUSED_BURST,
    VALUE_ADDED_BURST,
    ActivityEvent,
    client_count,
)

# -- families of actions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Family:
    """A group of audit actions the owner filters by: exact actions ("client.viewed") or
    whole families ("report." matches every report action), minus ``exclude``."""

    key: str
    label: str
    actions: tuple[str, ...] = ()  # empty: every action
    exclude: tuple[str, ...] = ()

    def matches(self, action: str) -> bool:
        if action in self.exclude:
            return False
        if not self.actions:
            return True
        return any(action.startswith(a) if a.endswith(".") else action == a for a in self.actions)

    def service_actions(self, known: Iterable[str]) -> list[str | None]:
        """The ``ActivityFilter.action`` values that together give this family.

        The service filters by one exact action or one family; a family with exclusions
        becomes the exact actions of the trail that belong to it (none: nothing to show).
        """
        if not self.actions:
            return [None]
        if not self.exclude:
            return [a.rstrip(".") for a in self.actions]
        return sorted({a for a in known if self.matches(a)})


EVERYTHING = Family("all", "Everything")
FAMILIES: tuple[Family, ...] = (
    EVERYTHING,
    Family("views", "Views of value-added information", ("client.viewed",)),
    Family("edits", "Edits", ("client.",), exclude=("client.viewed",)),
    Family("searches", "Searches", ("clients.searched",)),
    Family("prints", "Prints", ("report.",)),
    Family("exports", "Exports", ("clients.exported",)),
    Family("copies", "Copies", ("clients.copied",)),
    Family("signins", "Sign-ins", ("signin.",)),
    Family("users", "Users", ("user.",)),
    Family("policy", "Policy", ("policy.",)),
    Family("keys", "Keys", ("key.",)),
    Family("backups", "Backups", ("backup.",)),
    Family("denied", "Access refused", ("access.denied",)),
)


def family(key: str) -> Family:
    for f in FAMILIES:
        if f.key == key:
            return f
    raise KeyError(key)


# The per-person table: a column per kind of use the owner looks at, then all entries.
PER_PERSON_COLUMNS: tuple[tuple[str, str, Family], ...] = (
    ("Views", "Views of value-added information", family("views")),
    ("Edits", "Clients added, changed or deleted", family("edits")),
    ("Searches", "Searches of the client list", family("searches")),
    ("Prints", "Reports printed (made)", Family("printed", "", ("report.printed",))),
    ("Exports", "Exports of client lists", family("exports")),
    ("Copies", "Client lists copied to the clipboard", family("copies")),
    ("Sign-ins", "Successful sign-ins", Family("signed", "", ("signin.ok",))),
    (
        "Failed sign-ins",
        "Wrong passwords and refused sign-ins",
        Family("failed", "", ("signin.failed", "signin.throttled")),
    ),
    ("Refused", "Actions refused because of the person's role", family("denied")),
)


def per_person_row(actions: Mapping[str, int]) -> list[int]:
    """The counts of one person's actions in the per-person columns, then the total."""
    row = [sum(n for a, n in actions.items() if f.matches(a)) for _, _, f in PER_PERSON_COLUMNS]
    return [*row, sum(actions.values())]


# -- actions ------------------------------------------------------------------------------


def action_words(event: ActivityEvent) -> str:
    """The action as a person would say it (:mod:`crmdesk.domain.action_words`)."""
    return said(event.action, event.details)


# -- objects ------------------------------------------------------------------------------

_VAULT_ACTIONS = ("vault.", "key.", "backup.")


def object_words(
    event: ActivityEvent,
    names: Mapping[str, str] | None = None,
    clients: Mapping[int, str] | None = None,
) -> str:
    """What the action was about: "Harbour Foods", "Report 7K2F-…", "Policy version 2".

    A client is named from ``clients`` (the names of those that still exist); one
    deleted since keeps its number, and its name when the entry recorded it."""
    obj = event.object
    kind, _, ident = obj.partition(":")
    if kind == "client" and ident:
        if ".." in ident:
            first, _, last = ident.partition("..")
            return f"Clients {first}–{last}"
        if clients is None or not ident.isdigit():
            return f"Client {ident}"
        name = clients.get(int(ident))
        if name:
            return name
        recorded = event.details.get("name") if event.action == "client.deleted" else None
        if isinstance(recorded, str) and recorded:
            return f"{recorded} (client {ident}, deleted)"
        return f"Client {ident} (deleted)"
    if kind == "report" and ident:
        return f"Report {ident}"
    if kind == "policy" and ident:
        return f"Policy version {ident}"
    if obj == "clipboard":
        return "Clipboard"
    if obj == "clients":
        return "Client list"
    if obj == "settings":
        return "Alert thresholds and settings"
    if event.action.startswith(_VAULT_ACTIONS):
        return "This vault"
    if names and obj in names:
        return names[obj]
    return obj


# -- details ------------------------------------------------------------------------------

_KEY_WORDS = {
    "value_added": "Value-added",
    "first_page": "Results on the first page",
    "failures_in_a_row": "Failures in a row",
    "retry_after_seconds": "Wait (seconds)",
    "key_storage": "Key held by",
    "key_location": "Key location",
    "client_ids": "Client numbers",
    "sha256": "SHA-256",
    "value_added_changes": "Value-added values changed",
    "exit_certification": "Exit certification",
    "access_report": "Access report",
    "key_rotated": "Key changed",
    "full_name": "Full name",
    "for": "For",
}
_SUMMARY_CHARS = 140
_LIST_ITEMS = 30

THRESHOLD_WORDS: dict[str, str] = {
    "value_added_clients_per_hour": "Value-added records of different clients viewed in an hour",
    "egress_clients": "Clients in one print, export or copy",
    "working_hours": "Working hours",
    "working_days": "Working days",
    "failed_signins": "Failed sign-ins to one login",
    "failed_signin_window_minutes": "Minutes in which failed sign-ins are counted",
    "refused_actions": "Refused actions by one person",
    "refused_window_minutes": "Minutes in which refused actions are counted",
}

KIND_WORDS = {
    "client-summary": "Client summary",
    "client-list": "Client list",
    "call-list": "Call list",
    "recovery-kit": "Recovery kit",
    "access-report": "Access report",
    "exit-certification": "Exit certification",
    "measures": "Reasonable-measures report",
}


def key_words(key: str) -> str:
    return _KEY_WORDS.get(key) or key.replace("_", " ").capitalize()


def value_words(value: Any) -> str:
    """A detail value on one line: lists joined, yes/no, nested parts as "key: value"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) else str(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{key_words(str(k))}: {value_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = [value_words(v) for v in value]
        if len(items) > _LIST_ITEMS:
            rest = len(items) - _LIST_ITEMS
            items = [*items[:_LIST_ITEMS], f"… and {rest:,} more"]
        return ", ".join(items)
    return str(value)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _hours(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{int(value[0]):02d}:00–{int(value[1]):02d}:00"
    return value_words(value)


def _days(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        names = [DAY_NAMES[d][:3] for d in sorted(value) if isinstance(d, int) and 0 <= d <= 6]
        return ", ".join(names) or "none"
    return value_words(value)


def _threshold_value(name: str, value: Any) -> str:
    if name == "working_hours":
        return _hours(value)
    if name == "working_days":
        return _days(value)
    return value_words(value)


def settings_changes(details: Mapping[str, Any]) -> list[str]:
    """What a settings change changed, one sentence each: "X: 100 → 20"."""
    old, new = details.get("old"), details.get("new")
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return []
    out: list[str] = []
    old_t, new_t = old.get("thresholds") or {}, new.get("thresholds") or {}
    if isinstance(old_t, Mapping) and isinstance(new_t, Mapping):
        for name in sorted(set(old_t) | set(new_t)):
            a, b = old_t.get(name), new_t.get(name)
            if a != b:
                label = THRESHOLD_WORDS.get(name, key_words(name))
                out.append(f"{label}: {_threshold_value(name, a)} → {_threshold_value(name, b)}")
    if old.get("screen_watermark") != new.get("screen_watermark"):
        out.append(
            "Screen watermark: "
            f"{_watermark_words(old.get('screen_watermark'))} → "
            f"{_watermark_words(new.get('screen_watermark'))}"
        )
    return out


def _watermark_words(value: Any) -> str:
    return "automatic (on with several users)" if value is None else value_words(value)


def _summary_parts(event: ActivityEvent) -> list[str]:  # noqa: C901 - one case per action
    d = event.details
    action = event.action
    count = client_count(d)
    if action == "client.viewed":
        sections = d.get("sections")
        if isinstance(sections, list | tuple) and sections:
            return [", ".join(str(s).replace("_", " ") for s in sections)]
        return []
    if action in ("client.updated", "client.created"):
        fields = d.get("fields")
        parts = []
        if isinstance(fields, list | tuple) and fields:
            verb = "Changed" if action == "client.updated" else "Filled in"
            parts.append(f"{verb}: " + ", ".join(str(f).replace("_", " ") for f in fields))
        if d.get("value_added_changes"):
            parts.append("old and new value-added values kept")
        elif d.get("sealed") == "sealed":  # kept, sealed to the owner and managers
            parts.append("old and new value-added values sealed")
        return parts
    if action == "client.deleted":
        return [f"“{d['name']}”"] if d.get("name") else []
    if action == "clients.created":
        parts = [_plural(int(d["count"]), "client")] if isinstance(d.get("count"), int) else []
        if d.get("source"):
            parts.append(f"from {d['source']}")
        return parts
    if action == "clients.searched":
        parts = [f"“{d.get('text', '')}”"]
        if isinstance(d.get("first_page"), int):
            parts.append(f"{_plural(d['first_page'], 'result')} on the first page")
        return parts
    if action == "report.printed":
        kind = str(d.get("kind") or "")
        parts = [KIND_WORDS.get(kind, kind.replace("-", " ").capitalize())] if kind else []
        if count:
            parts.append(_plural(count, "client"))
        if isinstance(d.get("pages"), int):
            parts.append(_plural(d["pages"], "page"))
        if d.get("file"):
            parts.append(f"file {d['file']}")
        return parts
    if action in ("report.printer", "report.saved"):
        where = d.get("where")
        if not where:
            return []
        return [f"on {where}" if action == "report.printer" else f"to {where}"]
    if action in ("clients.exported", "clients.copied"):
        parts = [_plural(count, "client")] if count is not None else []
        for key in ("format", "file"):
            if d.get(key):
                parts.append(f"{key_words(key).lower()} {d[key]}")
        return parts
    if action == "signin.failed":
        parts = [str(d["reason"])] if d.get("reason") else []
        if isinstance(d.get("failures_in_a_row"), int):
            parts.append(f"{d['failures_in_a_row']:,} in a row")
        return parts
    if action == "signin.throttled" and isinstance(d.get("retry_after_seconds"), int):
        return [f"asked to wait {d['retry_after_seconds']:,} s"]
    if action == "access.denied":
        parts = []
        if d.get("permission"):
            parts.append(f"wanted to {str(d['permission']).replace('_', ' ')}")
        if d.get("role"):
            parts.append(f"role {d['role']}")
        return parts
    if action == "egress.approved":
        parts = [f"for {d['for']}"] if d.get("for") else []
        if count is not None:
            parts.append(_plural(count, "client"))
        if isinstance(d.get("limit"), int):
            parts.append(f"limit {d['limit']:,}")
        return parts
    if action == "user.added":
        return [p for p in (str(d.get("full_name") or ""), str(d.get("role") or "")) if p]
    if action == "user.role_changed":
        return [f"{d.get('old', '?')} → {d.get('new', '?')}"]
    if action == "user.offboarded":
        parts = [f"last {d['days']} days"] if d.get("days") else []
        if "key_rotated" in d:
            parts.append("key changed" if d["key_rotated"] else "key not changed")
        return parts
    if action == "settings.changed":
        return settings_changes(d)
    if action.startswith(("policy.",)):
        return [f"version {d['version']}"] if d.get("version") else []
    # Anything else: its details in words, the long technical ones left to the panel.
    return [
        f"{key_words(k)}: {value_words(v)}"
        for k, v in d.items()
        if k not in ("sha256", "client_ids") and v not in (None, "", [], {})
    ]


def detail_summary(event: ActivityEvent) -> str:
    """One short line about the entry's details (the side panel has them all)."""
    try:
        text = " · ".join(p for p in _summary_parts(event) if p)
    except (TypeError, ValueError, KeyError):  # details of an unexpected shape
        text = "; ".join(f"{key_words(k)}: {value_words(v)}" for k, v in event.details.items())
    text = " ".join(text.split())
    if len(text) > _SUMMARY_CHARS:
        text = text[: _SUMMARY_CHARS - 1].rstrip() + "…"
    return text


def _lines(value: Any, indent: int) -> list[str]:
    pad = "    " * indent
    if isinstance(value, Mapping):
        out: list[str] = []
        for k, v in value.items():
            if indent == 0 and (v is None or v == "" or v == [] or v == {}):
                continue  # an empty top-level detail says nothing
            if k == "kind" and v in KIND_WORDS:
                v = KIND_WORDS[v]
            if isinstance(v, Mapping | list | tuple) and _is_nested(v):
                out.append(f"{pad}{key_words(str(k))}:")
                out += _lines(v, indent + 1)
            else:
                out.append(f"{pad}{key_words(str(k))}: {value_words(v)}")
        return out
    if isinstance(value, list | tuple):
        out = []
        for item in value[:_LIST_ITEMS]:
            if isinstance(item, Mapping | list | tuple) and _is_nested(item):
                out.append(f"{pad}•")
                out += _lines(item, indent + 1)
            else:
                out.append(f"{pad}• {value_words(item)}")
        if len(value) > _LIST_ITEMS:
            out.append(f"{pad}… and {len(value) - _LIST_ITEMS:,} more")
        return out
    return [f"{pad}{value_words(value)}"]


def _is_nested(value: Mapping[str, Any] | Sequence[Any]) -> bool:
    items = value.values() if isinstance(value, Mapping) else value
    return any(isinstance(v, Mapping | list | tuple) for v in items) or isinstance(value, Mapping)


def detail_lines(event: ActivityEvent) -> list[str]:
    """Every detail of the entry, in words, nested parts indented."""
    if event.action == "settings.changed":
        changes = settings_changes(event.details)
        if changes:
            return changes
    return _lines(dict(event.details), 0)


def local_text(ts: dt.datetime, tz: dt.tzinfo | None) -> str:
    """An audit time in local time, to the second: 2026-11-29 14:05:12."""
    local = ts.astimezone(tz) if tz is not None else ts.astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S}"


def device_words(event: ActivityEvent) -> str:
    """Where an entry copied from another device of the office happened ("" when here)."""
    details = event.details if isinstance(event.details, Mapping) else {}
    device = details.get("copied_from")
    return f"on laptop {str(device)[:8]}" if device else ""


def describe(
    event: ActivityEvent,
    who: str,
    tz: dt.tzinfo | None,
    names: Mapping[str, str] | None = None,
    clients: Mapping[int, str] | None = None,
) -> str:
    """The whole entry in words, for the side panel and the tooltip."""
    local = event.ts.astimezone(tz) if tz is not None else event.ts.astimezone()
    head = [
        f"{action_words(event)}",
        f"Entry {event.seq:,} of the audit trail",
        f"When: {DAY_NAMES[local.weekday()]} {local:%d %B %Y, %H:%M:%S} ({local:%Z}".rstrip() + ")",
        f"Who: {who}",
        f"Action: {event.action}",
    ]
    if device := device_words(event):
        head.append(f"Where: {device}, copied into this trail when it synced")
    if event.object:
        about = object_words(event, names, clients)
        kind, _, ident = event.object.partition(":")
        if kind == "client" and ident.isdigit() and about != f"Client {ident}":
            about += f" (client {ident})" if "client " not in about else ""
        head.append(f"About: {about}")
    body = detail_lines(event)
    return "\n".join([*head, "", *body] if body else head)


# -- alerts ------------------------------------------------------------------------------

ALERT_KIND_WORDS = {
    VALUE_ADDED_BURST: "Many value-added records viewed",
    LARGE_EGRESS: "Large print, export or copy",
    AFTER_HOURS_EGRESS: "Print or export outside working hours",
    FAILED_SIGNINS: "Repeated failed sign-ins",
    REFUSED_BURST: "Many refused actions",
    BULK_READING: "Client list read out page by page",
}
