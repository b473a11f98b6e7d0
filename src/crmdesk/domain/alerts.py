"""Unusual-access alerts over the audit trail, with thresholds the owner can change.

Pure: the caller reads the audit entries and hands them in as :class:`ActivityEvent`.
Four kinds of alert, each pointing at the audit entries that make its evidence:

- ``value_added_burst``: one person viewed the value-added information of more than N
  different clients within an hour (the pattern of someone harvesting the list);
- ``large_egress``: one print, export or copy of more than N clients;
- ``after_hours_egress``: a print, save, export or copy outside working hours;
- ``failed_signins``: N or more failed sign-ins to one login within a few minutes;
- ``refused_burst``: one person was refused N or more actions within a few minutes
  (someone trying what their role may not, or testing guesses of withheld values);
- ``bulk_reading``: one person's client rows read out on the command line (list and
  search pages) came to more than the export threshold within an hour.

A burst gives one alert, not one per event past the threshold; another alert comes only
after a whole window (an hour; for sign-ins, the sign-in window) without the threshold
being passed.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

VALUE_ADDED_BURST = "value_added_burst"
LARGE_EGRESS = "large_egress"
AFTER_HOURS_EGRESS = "after_hours_egress"
FAILED_SIGNINS = "failed_signins"
REFUSED_BURST = "refused_burst"
BULK_READING = "bulk_reading"
ALERT_KINDS = (
    VALUE_ADDED_BURST, LARGE_EGRESS, AFTER_HOURS_EGRESS, FAILED_SIGNINS, REFUSED_BURST,
    BULK_READING,
)  # fmt: skip

VIEWED = "client.viewed"
SIGNIN_FAILED = "signin.failed"
REFUSED = "access.denied"
# A page of client rows read out on the command line; details["hour_total"]: the rows
# this person read out within the hour up to and including it (services/egress.py).
LISTED = "clients.listed"
# Actions that carry many clients out of the vault at once (details["clients"]: a count).
BULK_EGRESS = frozenset({"report.printed", "clients.exported", "clients.copied"})
# Actions that put client information on paper, in a file or on the clipboard.
EGRESS = BULK_EGRESS | {"report.printer", "report.saved"}

BURST_WINDOW = timedelta(minutes=60)

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class ThresholdError(ValueError):
    """An alert threshold was refused; ``field`` names it, the message says the range.

    ``code`` says which rule (``threshold.out_of_range``, ``threshold.working_hours``,
    ``threshold.working_days``, ``threshold.not_an_object``); ``facts`` hold the field's
    name in words and its range, for an edge to say it its own way.
    """

    def __init__(self, field: str, message: str, *, code: str, **facts: Any) -> None:
        self.field = field
        self.message = message
        self.code = code
        self.facts: dict[str, Any] = {"field": field, **facts}
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """One audit entry as the alerts read it."""

    seq: int
    ts: datetime  # UTC-aware
    actor: str
    action: str
    object: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None or self.ts.utcoffset() is None:
            raise ValueError("ActivityEvent.ts must be timezone-aware")

    @classmethod
    def from_row(
        cls,
        seq: int,
        ts: str | datetime,
        actor: str,
        action: str,
        obj: str = "",
        details: str | Mapping[str, Any] | None = None,
    ) -> ActivityEvent:
        """From an audit entry as stored: ISO time text and JSON details."""
        when = datetime.fromisoformat(ts) if isinstance(ts, str) else ts
        if isinstance(details, str):
            parsed = json.loads(details) if details.strip() else {}
            details = parsed if isinstance(parsed, dict) else {}
        return cls(int(seq), when, actor, action, obj or "", dict(details or {}))


# ------------------------------------------------------------------------- thresholds

# field -> (words for the owner, smallest, largest)
_LIMITS: dict[str, tuple[str, int, int]] = {
    "value_added_clients_per_hour": ("Value-added client views per hour", 1, 100_000),
    "egress_clients": ("Clients in one print, export or copy", 1, 100_000),
    "failed_signins": ("Failed sign-ins", 1, 1_000),
    "failed_signin_window_minutes": ("Minutes in which failed sign-ins are counted", 1, 10_080),
    "refused_actions": ("Refused actions by one person", 1, 1_000),
    "refused_window_minutes": ("Minutes in which refused actions are counted", 1, 10_080),
}


@dataclass(frozen=True)
class AlertThresholds:
    """When an alert is raised. The owner edits these; :meth:`validated` checks them."""

    value_added_clients_per_hour: int = 50
    egress_clients: int = 100  # one print/export/copy of more than this many clients
    working_hours: tuple[int, int] = (7, 19)  # local hours: start inclusive, end exclusive
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    failed_signins: int = 5
    failed_signin_window_minutes: int = 15
    refused_actions: int = 10  # this many refusals of one person within the window
    refused_window_minutes: int = 10

    def validated(self) -> AlertThresholds:
        """These thresholds, or :class:`ThresholdError` naming the first bad field."""
        for name, (words, low, high) in _LIMITS.items():
            _whole(name, getattr(self, name), words, low, high)
        hours = self.working_hours
        hours_msg = (
            "Working hours (working_hours) must be two whole hours [start, end] with "
            f"0 ≤ start < end ≤ 24 (the end hour is not included); got {hours!r}."
        )
        if not isinstance(hours, tuple | list) or len(hours) != 2:
            raise ThresholdError("working_hours", hours_msg, code="threshold.working_hours")
        start, end = hours
        if not (_is_int(start) and _is_int(end) and 0 <= start < end <= 24):
            raise ThresholdError("working_hours", hours_msg, code="threshold.working_hours")
        days = self.working_days
        days_msg = (
            "Working days (working_days) must be one or more of 0 to 6 (Monday = 0, "
            f"Sunday = 6); got {_shown(days)}."
        )
        if not isinstance(days, frozenset | set) or not days:
            raise ThresholdError("working_days", days_msg, code="threshold.working_days")
        if not all(_is_int(d) and 0 <= d <= 6 for d in days):
            raise ThresholdError("working_days", days_msg, code="threshold.working_days")
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "value_added_clients_per_hour": self.value_added_clients_per_hour,
            "egress_clients": self.egress_clients,
            "working_hours": list(self.working_hours),
            "working_days": sorted(self.working_days),
            "failed_signins": self.failed_signins,
            "failed_signin_window_minutes": self.failed_signin_window_minutes,
            "refused_actions": self.refused_actions,
            "refused_window_minutes": self.refused_window_minutes,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AlertThresholds:
        """From :meth:`to_json`'s shape; missing keys keep their defaults, unknown keys are
        ignored (a newer version may have written them)."""
        if not isinstance(data, Mapping):
            raise ThresholdError(
                "", "Alert thresholds must be a JSON object.", code="threshold.not_an_object"
            )
        values: dict[str, Any] = {k: data[k] for k in _LIMITS if k in data}
        if "working_hours" in data:
            hours = data["working_hours"]
            values["working_hours"] = tuple(hours) if isinstance(hours, list | tuple) else hours
        if "working_days" in data:
            days = data["working_days"]
            if isinstance(days, list | tuple | set | frozenset):
                if not all(isinstance(d, int | float | str | bool) for d in days):
                    days = ()  # unhashable junk: refused below with the range
                values["working_days"] = frozenset(days)
            else:
                values["working_days"] = days
        return cls(**values).validated()

    @property
    def hours_text(self) -> str:
        """E.g. ``Monday–Friday, 07:00–19:00``."""
        return f"{_days_text(self.working_days)}, {_hour(self.working_hours[0])}–" + _hour(
            self.working_hours[1]
        )


def _shown(days: object) -> str:
    if isinstance(days, set | frozenset):
        return repr(sorted(days, key=str))
    return repr(days)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(name: str, value: object, words: str, low: int, high: int) -> None:
    if not _is_int(value) or not low <= value <= high:  # type: ignore[operator]
        raise ThresholdError(
            name,
            f"{words} ({name}) must be a whole number from {low:,} to {high:,}; got {value!r}.",
            code="threshold.out_of_range",
            words=words,
            low=low,
            high=high,
            value=value,
        )


def _hour(h: int) -> str:
    return f"{h:02d}:00"


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}–{DAY_NAMES[ordered[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in ordered)


# ----------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Alert:
    """Something the owner should look at, with the audit entries that show it."""

    kind: str  # one of ALERT_KINDS
    actor: str  # the person (for failed sign-ins: the login tried)
    ts: datetime  # when the threshold was passed (UTC-aware)
    message: str  # a plain sentence with local times
    seqs: tuple[int, ...]  # the audit entries that make the evidence


def find_alerts(
    events: Iterable[ActivityEvent], thresholds: AlertThresholds, tz: tzinfo
) -> list[Alert]:
    """Every alert the events raise under ``thresholds``, oldest first; times shown in ``tz``."""
    limits = thresholds.validated()
    ordered = sorted(events, key=lambda e: (e.ts, e.seq))
    views: dict[str, list[ActivityEvent]] = defaultdict(list)
    failures: dict[str, list[ActivityEvent]] = defaultdict(list)
    refusals: dict[str, list[ActivityEvent]] = defaultdict(list)
    reading: dict[str, list[ActivityEvent]] = defaultdict(list)
    alerts: list[Alert] = []
    for event in ordered:
        if event.action == VIEWED and event.details.get("value_added") is True:
            views[event.actor].append(event)
        elif event.action == SIGNIN_FAILED:
            failures[event.object or event.actor].append(event)
        elif event.action == REFUSED:
            refusals[event.actor].append(event)
        elif event.action == LISTED:
            total = client_count({"clients": event.details.get("hour_total")})
            if total is not None and total > limits.egress_clients:
                reading[event.actor].append(event)
        if event.action in BULK_EGRESS:
            count = client_count(event.details)
            if count is not None and count > limits.egress_clients:
                alerts.append(_large_egress(event, count, limits, tz))
        if event.action in EGRESS and not _in_working_hours(event.ts, limits, tz):
            alerts.append(_after_hours(event, limits, tz))
    for actor, actor_views in views.items():
        for burst in _bursts(
            actor_views,
            window=BURST_WINDOW,
            key=lambda e: e.object,
            over=lambda distinct: distinct > limits.value_added_clients_per_hour,
        ):
            alerts.append(_burst_alert(actor, burst, limits, tz))
    window = timedelta(minutes=limits.failed_signin_window_minutes)
    for login, tries in failures.items():
        for burst in _bursts(
            tries,
            window=window,
            key=lambda e: e.seq,  # every failure counts, repeats included
            over=lambda count: count >= limits.failed_signins,
        ):
            alerts.append(_signin_alert(login, burst, limits, tz))
    window = timedelta(minutes=limits.refused_window_minutes)
    for actor, refused in refusals.items():
        for burst in _bursts(
            refused,
            window=window,
            key=lambda e: e.seq,
            over=lambda count: count >= limits.refused_actions,
        ):
            alerts.append(_refused_alert(actor, burst, limits, tz))
    for actor, pages in reading.items():
        # Every page past the threshold is over it: one alert per hour-long run of them.
        for burst in _bursts(pages, window=BURST_WINDOW, key=lambda e: e.seq, over=bool):
            alerts.append(_reading_alert(actor, burst, limits, tz))
    alerts.sort(key=lambda a: (a.ts, a.seqs[0] if a.seqs else 0, a.kind))
    return alerts


def per_actor_counts(events: Iterable[ActivityEvent]) -> dict[str, dict[str, int]]:
    """actor -> action -> number of events, actors and actions in alphabetical order."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        counts[event.actor][event.action] += 1
    return {actor: dict(sorted(counts[actor].items())) for actor in sorted(counts)}


@dataclass
class _Burst:
    crossed: datetime  # when the window first went over the threshold
    events: list[ActivityEvent]  # the window then, and what kept it over until the end
    last_over: datetime  # the latest time the window was over


def _bursts(
    events: list[ActivityEvent],
    *,
    window: timedelta,
    key: Callable[[ActivityEvent], Hashable],
    over: Callable[[int], bool],
) -> list[_Burst]:
    """Runs of time in which a sliding ``window`` of events is ``over(number of distinct
    keys)``; ``events`` in time order. The window is half-open: two events exactly
    ``window`` apart are not in one window.

    A burst lasts while the window keeps going over; it ends once a whole window has
    passed without that, so steady heavy use (one new client a minute all day) makes one
    alert rather than one a minute. Events after the last time the window was over are
    not evidence and are left out.
    """
    found: list[_Burst] = []
    inside: deque[ActivityEvent] = deque()
    keys: Counter[Hashable] = Counter()
    current: _Burst | None = None
    pending: list[ActivityEvent] = []  # in a burst, since the window was last over
    for event in events:
        while inside and event.ts - inside[0].ts >= window:
            gone = key(inside.popleft())
            keys[gone] -= 1
            if not keys[gone]:
                del keys[gone]
        if current is not None and event.ts - current.last_over >= window:
            found.append(current)
            current, pending = None, []
        inside.append(event)
        keys[key(event)] += 1
        is_over = over(len(keys))
        if current is None:
            if is_over:
                current = _Burst(crossed=event.ts, events=list(inside), last_over=event.ts)
        elif is_over:
            current.events += [*pending, event]
            current.last_over = event.ts
            pending = []
        else:
            pending.append(event)
    if current is not None:
        found.append(current)
    return found


def client_count(details: Mapping[str, Any]) -> int | None:
    """How many clients an audit entry carried out (``details["clients"]``), if it says."""
    value = details.get("clients")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):  # a list of client ids
        return len(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _in_working_hours(ts: datetime, limits: AlertThresholds, tz: tzinfo) -> bool:
    local = ts.astimezone(tz)
    start, end = limits.working_hours
    return local.weekday() in limits.working_days and start <= local.hour < end


# ----------------------------------------------------------------------------- words


def _date(local: datetime) -> str:
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year}"


def _at(ts: datetime, tz: tzinfo, *, weekday: bool = False) -> str:
    """``14:02 on 3 March 2026`` (``on Tuesday 3 March 2026`` with ``weekday``)."""
    local = ts.astimezone(tz)
    day = f"{DAY_NAMES[local.weekday()]} " if weekday else ""
    return f"{local:%H:%M} on {day}{_date(local)}"


def _between(first: datetime, last: datetime, tz: tzinfo) -> str:
    a, b = first.astimezone(tz), last.astimezone(tz)
    if f"{a:%Y%m%d%H%M}" == f"{b:%Y%m%d%H%M}":
        return f"at {_at(first, tz)}"
    if a.date() == b.date():
        return f"between {a:%H:%M} and {b:%H:%M} on {_date(a)}"
    return f"between {_at(first, tz)} and {_at(last, tz)}"


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _what(event: ActivityEvent) -> str:
    """What an egress event did, as the middle of a sentence."""
    target = event.object.removeprefix("report:")
    report = f"report {target}" if event.object.startswith("report:") and target else "a report"
    count = client_count(event.details)
    clients = _plural(count, "client") if count is not None else "clients"
    if event.action == "report.printed":
        return f"printed {report}" + (f" ({clients})" if count is not None else "")
    return {
        "report.printer": f"sent {report} to a printer",
        "report.saved": f"saved {report} as a file",
        "clients.exported": f"exported {clients}",
        "clients.copied": f"copied {clients} to the clipboard",
    }.get(event.action, event.action)


def _large_egress(event: ActivityEvent, count: int, limits: AlertThresholds, tz: tzinfo) -> Alert:
    message = (
        f"{event.actor} {_what(event)} at {_at(event.ts, tz)}: more than the "
        f"{limits.egress_clients:,} clients that one print, export or copy may hold "
        "without an alert."
    )
    return Alert(LARGE_EGRESS, event.actor, event.ts, message, (event.seq,))


def _after_hours(event: ActivityEvent, limits: AlertThresholds, tz: tzinfo) -> Alert:
    message = (
        f"{event.actor} {_what(event)} at {_at(event.ts, tz, weekday=True)}, outside "
        f"working hours ({limits.hours_text})."
    )
    return Alert(AFTER_HOURS_EGRESS, event.actor, event.ts, message, (event.seq,))


def _burst_alert(actor: str, burst: _Burst, limits: AlertThresholds, tz: tzinfo) -> Alert:
    clients = len({e.object for e in burst.events})
    first, last = burst.events[0].ts, burst.events[-1].ts
    message = (
        f"{actor} viewed value-added information of {clients:,} different clients "
        f"{_between(first, last, tz)} (more than {limits.value_added_clients_per_hour:,} "
        "within an hour)."
    )
    seqs = tuple(e.seq for e in burst.events)
    return Alert(VALUE_ADDED_BURST, actor, burst.crossed, message, seqs)


def _signin_alert(login: str, burst: _Burst, limits: AlertThresholds, tz: tzinfo) -> Alert:
    first, last = burst.events[0].ts, burst.events[-1].ts
    message = (
        f"{_plural(len(burst.events), 'failed sign-in')} as {login} {_between(first, last, tz)} "
        f"({limits.failed_signins:,} or more within "
        f"{_plural(limits.failed_signin_window_minutes, 'minute')})."
    )
    seqs = tuple(e.seq for e in burst.events)
    return Alert(FAILED_SIGNINS, login, burst.crossed, message, seqs)


def _refused_alert(actor: str, burst: _Burst, limits: AlertThresholds, tz: tzinfo) -> Alert:
    first, last = burst.events[0].ts, burst.events[-1].ts
    message = (
        f"{actor} was refused {_plural(len(burst.events), 'action')} "
        f"{_between(first, last, tz)} ({limits.refused_actions:,} or more within "
        f"{_plural(limits.refused_window_minutes, 'minute')}): trying what their role may "
        "not, or testing guesses of withheld information."
    )
    seqs = tuple(e.seq for e in burst.events)
    return Alert(REFUSED_BURST, actor, burst.crossed, message, seqs)


def _reading_alert(actor: str, burst: _Burst, limits: AlertThresholds, tz: tzinfo) -> Alert:
    first, last = burst.events[0].ts, burst.events[-1].ts
    most = max(client_count({"clients": e.details.get("hour_total")}) or 0 for e in burst.events)
    message = (
        f"{actor} read out {_plural(most, 'client row')} page by page on the command line "
        f"{_between(first, last, tz)}: more than the {limits.egress_clients:,} clients that "
        "one print, export or copy may hold without an alert."
    )
    seqs = tuple(e.seq for e in burst.events)
    return Alert(BULK_READING, actor, burst.crossed, message, seqs)
