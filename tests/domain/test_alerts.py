"""Unusual-access alerts: each kind just below and just above its threshold, windows,
bursts, time zones, and the owner's thresholds as JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import count
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmdesk.domain.alerts import (
    AFTER_HOURS_EGRESS,
    FAILED_SIGNINS,
    LARGE_EGRESS,
    VALUE_ADDED_BURST,
    ActivityEvent,
    Alert,
    AlertThresholds,
    ThresholdError,
    find_alerts,
    per_actor_counts,
)

T0 = datetime(2026, 3, 3, 14, 2, tzinfo=UTC)  # a Tuesday
MINUTE = timedelta(minutes=1)
DEFAULT = AlertThresholds()
UTC_MINUS_5 = timezone(timedelta(hours=-5))
_seq = count(1)


def ev(
    action: str,
    at: datetime,
    *,
    actor: str = "bob",
    obj: str = "",
    **details: Any,
) -> ActivityEvent:
    return ActivityEvent(next(_seq), at, actor, action, obj, details)


def views(
    n: int, *, span: timedelta, start: datetime = T0, actor: str = "bob", first: int = 0
) -> list[ActivityEvent]:
    """``n`` value-added views of different clients, evenly from ``start`` to ``start+span``."""
    step = span / max(n - 1, 1)
    return [
        ev("client.viewed", start + step * i, actor=actor, obj=f"client:{first + i}",
           value_added=True)
        for i in range(n)
    ]  # fmt: skip


def alerts(
    events: list[ActivityEvent], thresholds: AlertThresholds = DEFAULT, tz: tzinfo = UTC
) -> list[Alert]:
    return find_alerts(events, thresholds, tz)


def kinds(found: list[Alert]) -> list[str]:
    return [a.kind for a in found]


# ------------------------------------------------------------------ value-added bursts


def test_fifty_clients_in_an_hour_is_no_alert_fifty_one_is():
    assert alerts(views(50, span=10 * MINUTE)) == []
    found = alerts(views(51, span=10 * MINUTE))
    assert kinds(found) == [VALUE_ADDED_BURST]
    alert = found[0]
    assert alert.actor == "bob"
    assert alert.ts == T0 + 10 * MINUTE  # when the 51st client was viewed
    assert alert.message == (
        "bob viewed value-added information of 51 different clients between 14:02 and "
        "14:12 on 3 March 2026 (more than 50 within an hour)."
    )
    assert len(alert.seqs) == 51


def test_the_window_slides_over_sixty_minutes():
    assert alerts(views(51, span=61 * MINUTE)) == []
    assert alerts(views(51, span=60 * MINUTE)) == []  # half-open: 60 minutes apart is two hours
    assert kinds(alerts(views(51, span=59 * MINUTE))) == [VALUE_ADDED_BURST]
    # Slid later in the day: 20 early views, then 51 within the hour starting later.
    early = views(20, span=5 * MINUTE)
    late = views(51, span=58 * MINUTE, start=T0 + 2 * timedelta(hours=1), first=100)
    assert kinds(alerts(early + late)) == [VALUE_ADDED_BURST]


def test_repeats_of_the_same_client_count_once():
    events = views(50, span=20 * MINUTE)
    events += [
        ev("client.viewed", T0 + 21 * MINUTE + i * MINUTE, obj=f"client:{i}", value_added=True)
        for i in range(30)
    ]
    assert alerts(events) == []
    events.append(ev("client.viewed", T0 + 55 * MINUTE, obj="client:999", value_added=True))
    found = alerts(events)
    assert kinds(found) == [VALUE_ADDED_BURST]
    assert "51 different clients" in found[0].message


def test_only_value_added_views_count():
    basic = [
        ev("client.viewed", T0 + i * MINUTE / 10, obj=f"client:{i}", value_added=False)
        for i in range(100)
    ]
    plain = [ev("client.viewed", T0 + i * MINUTE / 10, obj=f"client:{200 + i}") for i in range(100)]
    other = [ev("client.updated", T0 + i * MINUTE / 10, obj=f"client:{i}") for i in range(100)]
    assert alerts(basic + plain + other) == []


def test_views_by_different_people_are_not_added_up():
    events = views(40, span=10 * MINUTE) + views(40, span=10 * MINUTE, actor="alice", first=40)
    assert alerts(events) == []


def test_one_alert_per_burst():
    found = alerts(views(200, span=30 * MINUTE))
    assert kinds(found) == [VALUE_ADDED_BURST]
    assert "200 different clients" in found[0].message
    assert len(found[0].seqs) == 200


def test_steady_heavy_use_is_one_burst_not_one_alert_a_minute():
    # One new client a minute for eight hours: the window hovers around 60 all day.
    found = alerts(views(480, span=479 * MINUTE))
    assert kinds(found) == [VALUE_ADDED_BURST]
    assert "480 different clients between 14:02 and 22:01" in found[0].message


def test_a_new_burst_after_a_quiet_hour_is_a_new_alert():
    first = views(60, span=10 * MINUTE)
    second = views(60, span=10 * MINUTE, start=T0 + 3 * timedelta(hours=1), first=1000)
    found = alerts(second + first)  # order of input does not matter
    assert kinds(found) == [VALUE_ADDED_BURST, VALUE_ADDED_BURST]
    assert found[0].ts < found[1].ts
    assert set(found[0].seqs) == {e.seq for e in first}
    assert set(found[1].seqs) == {e.seq for e in second}


def test_a_burst_across_midnight_names_both_days():
    start = datetime(2026, 3, 3, 23, 40, tzinfo=UTC)
    found = alerts(views(60, span=59 * MINUTE, start=start))
    assert "between 23:40 on 3 March 2026 and 00:39 on 4 March 2026" in found[0].message


# ------------------------------------------------------------------------ large egress


@pytest.mark.parametrize("action", ["report.printed", "clients.exported", "clients.copied"])
def test_large_egress_over_the_threshold(action):
    assert alerts([ev(action, T0, obj="report:7K3M-Q2ZD-AB5", clients=100)]) == []
    found = alerts([ev(action, T0, obj="report:7K3M-Q2ZD-AB5", clients=101)])
    assert kinds(found) == [LARGE_EGRESS]
    assert "101 clients" in found[0].message
    assert "at 14:02 on 3 March 2026" in found[0].message


def test_large_egress_message_names_the_report():
    found = alerts([ev("report.printed", T0, obj="report:7K3M-Q2ZD-AB5", clients=2500)])
    assert found[0].message.startswith("bob printed report 7K3M-Q2ZD-AB5 (2,500 clients) at 14:02")


def test_egress_without_a_count_or_of_other_kinds_is_not_large():
    events = [
        ev("report.printed", T0, obj="report:X"),
        ev("report.printed", T0, obj="report:Y", clients="lots"),
        ev("report.saved", T0, obj="report:X", clients=10_000),
        ev("client.viewed", T0, obj="client:1", clients=10_000),
    ]
    assert LARGE_EGRESS not in kinds(alerts(events))


def test_egress_threshold_is_the_owners():
    events = [ev("clients.exported", T0, clients=11)]
    assert kinds(alerts(events, AlertThresholds(egress_clients=10))) == [LARGE_EGRESS]
    assert alerts(events, AlertThresholds(egress_clients=11)) == []


# ----------------------------------------------------------------- after-hours egress


def _at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "alerted"),
    [
        (_at(6, 59), True),
        (_at(7, 0), False),
        (_at(18, 59), False),
        (_at(19, 0), True),
        (_at(23, 30), True),
        (_at(12, 0, day=7), True),  # Saturday
        (_at(12, 0, day=8), True),  # Sunday
        (_at(12, 0, day=9), False),  # Monday
    ],
)
def test_after_hours_boundaries(when, alerted):
    found = alerts([ev("report.printed", when, obj="report:AAAA-BBBB-CC1", clients=3)])
    assert kinds(found) == ([AFTER_HOURS_EGRESS] if alerted else [])


@pytest.mark.parametrize(
    "action",
    ["report.printed", "report.printer", "report.saved", "clients.exported", "clients.copied"],
)
def test_every_kind_of_egress_after_hours(action):
    found = alerts([ev(action, _at(22, 14, day=7), obj="report:AAAA-BBBB-CC1", clients=3)])
    assert kinds(found) == [AFTER_HOURS_EGRESS]
    assert "at 22:14 on Saturday 7 March 2026" in found[0].message
    assert "outside working hours (Monday–Friday, 07:00–19:00)" in found[0].message


def test_other_actions_after_hours_are_not_egress():
    events = [ev(a, _at(23)) for a in ("client.viewed", "signin.ok", "client.updated")]
    assert alerts(events) == []


def test_working_hours_are_read_in_the_local_time_zone():
    event = ev("report.printed", _at(20, 30), obj="report:AAAA-BBBB-CC1", clients=3)
    assert alerts([event], tz=UTC_MINUS_5) == []  # 15:30 there
    found = alerts([event], tz=UTC)
    assert kinds(found) == [AFTER_HOURS_EGRESS]
    assert "at 20:30 on Tuesday" in found[0].message
    # 13:30 UTC is 05:30 the same day in UTC-8; 23:30 UTC on Friday is Saturday in UTC+2.
    assert kinds(alerts([event], tz=timezone(timedelta(hours=6)))) == [AFTER_HOURS_EGRESS]
    friday_night = ev("clients.copied", _at(23, 30, day=6), clients=3)
    found = alerts([friday_night], tz=timezone(timedelta(hours=2)))
    assert "01:30 on Saturday 7 March 2026" in found[0].message


def test_daylight_saving_time_is_followed():
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        new_york = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    # 11:30 UTC: 06:30 EST on 6 March 2026, 07:30 EDT on 9 March (DST began on the 8th).
    winter = ev("report.saved", datetime(2026, 3, 6, 11, 30, tzinfo=UTC), obj="report:X")
    summer = ev("report.saved", datetime(2026, 3, 9, 11, 30, tzinfo=UTC), obj="report:X")
    assert kinds(alerts([winter], tz=new_york)) == [AFTER_HOURS_EGRESS]
    assert alerts([summer], tz=new_york) == []


def test_working_days_and_hours_are_the_owners():
    saturday = ev("report.printed", _at(10, 0, day=7), obj="report:X", clients=3)
    six_days = AlertThresholds(working_days=frozenset(range(6)), working_hours=(8, 12))
    assert alerts([saturday], six_days) == []
    early = ev("report.printed", _at(7, 30), obj="report:X", clients=3)
    found = alerts([early], six_days)
    assert "(Monday–Saturday, 08:00–12:00)" in found[0].message


def test_a_large_print_after_hours_raises_both():
    found = alerts([ev("report.printed", _at(23), obj="report:X", clients=500)])
    assert sorted(kinds(found)) == [AFTER_HOURS_EGRESS, LARGE_EGRESS]


# ---------------------------------------------------------------------- failed sign-ins


def fails(n: int, *, span: timedelta, login: str = "bob", start: datetime = T0) -> list:
    step = span / max(n - 1, 1)
    return [ev("signin.failed", start + step * i, actor=login, obj=login) for i in range(n)]


def test_four_failures_are_no_alert_five_are():
    assert alerts(fails(4, span=5 * MINUTE)) == []
    found = alerts(fails(5, span=5 * MINUTE))
    assert kinds(found) == [FAILED_SIGNINS]
    assert found[0].actor == "bob"
    assert found[0].message == (
        "5 failed sign-ins as bob between 14:02 and 14:07 on 3 March 2026 "
        "(5 or more within 15 minutes)."
    )


def test_failures_are_counted_in_a_sliding_window():
    assert alerts(fails(5, span=15 * MINUTE)) == []
    assert kinds(alerts(fails(5, span=14 * MINUTE + timedelta(seconds=59)))) == [FAILED_SIGNINS]


def test_failures_are_counted_per_login():
    events = fails(3, span=MINUTE) + fails(3, span=MINUTE, login="alice")
    assert alerts(events) == []
    # The login tried is the event's object, whoever the actor was recorded as.
    unknown = [ev("signin.failed", T0 + i * MINUTE, actor="(none)", obj="eve") for i in range(5)]
    found = alerts(unknown)
    assert [a.actor for a in found] == ["eve"]


def test_one_alert_per_burst_of_failures():
    found = alerts(fails(20, span=10 * MINUTE))
    assert kinds(found) == [FAILED_SIGNINS]
    assert len(found[0].seqs) == 20 and "20 failed sign-ins" in found[0].message
    later = fails(6, span=MINUTE, start=T0 + timedelta(hours=2))
    assert kinds(alerts(fails(20, span=10 * MINUTE) + later)) == [FAILED_SIGNINS] * 2


def test_sign_in_thresholds_are_the_owners():
    strict = AlertThresholds(failed_signins=2, failed_signin_window_minutes=1)
    assert kinds(alerts(fails(2, span=timedelta(seconds=30)), strict)) == [FAILED_SIGNINS]
    assert alerts(fails(2, span=2 * MINUTE), strict) == []


# ----------------------------------------------------------------------- all together


def test_alerts_are_sorted_by_time():
    events = [
        ev("report.printed", _at(23), obj="report:X", clients=3),
        *fails(5, span=MINUTE, start=_at(3)),
        *views(60, span=10 * MINUTE, start=_at(10)),
        ev("clients.exported", _at(12), clients=500),
    ]
    found = alerts(events)
    # Sign-ins at 03:00 are not egress, so raise no after-hours alert.
    assert kinds(found) == [FAILED_SIGNINS, VALUE_ADDED_BURST, LARGE_EGRESS, AFTER_HOURS_EGRESS]
    assert [a.ts for a in found] == sorted(a.ts for a in found)


def test_invalid_thresholds_are_refused_before_looking():
    with pytest.raises(ThresholdError):
        find_alerts([], AlertThresholds(egress_clients=0), UTC)


def test_events_need_aware_times_and_read_audit_rows():
    with pytest.raises(ValueError):
        ActivityEvent(1, datetime(2026, 3, 3, 14, 2), "bob", "signin.ok", "bob", {})
    event = ActivityEvent.from_row(
        7, "2026-03-03T14:02:00+00:00", "bob", "client.viewed", "client:3", '{"value_added":true}'
    )
    assert event.ts == T0 and event.details == {"value_added": True} and event.seq == 7
    assert ActivityEvent.from_row(8, T0, "bob", "signin.ok", "", "").details == {}


def test_per_actor_counts():
    events = [
        *views(3, span=MINUTE),
        ev("report.printed", T0, obj="report:X", clients=1),
        ev("signin.ok", T0, actor="alice", obj="alice"),
        ev("signin.ok", T0, actor="alice", obj="alice"),
    ]
    assert per_actor_counts(events) == {
        "alice": {"signin.ok": 2},
        "bob": {"client.viewed": 3, "report.printed": 1},
    }
    assert per_actor_counts([]) == {}


# --------------------------------------------------------------------------- thresholds


def test_thresholds_json_round_trip():
    assert AlertThresholds.from_json(DEFAULT.to_json()) == DEFAULT
    custom = AlertThresholds(
        value_added_clients_per_hour=20,
        egress_clients=1,
        working_hours=(0, 24),
        working_days=frozenset({5, 6}),
        failed_signins=1000,
        failed_signin_window_minutes=10_080,
    )
    data = custom.to_json()
    assert data["working_hours"] == [0, 24] and data["working_days"] == [5, 6]
    assert AlertThresholds.from_json(data) == custom


def test_thresholds_from_json_keep_defaults_and_ignore_unknown_keys():
    loaded = AlertThresholds.from_json({"egress_clients": 250, "screen_watermark": True})
    assert loaded == AlertThresholds(egress_clients=250)
    assert AlertThresholds.from_json({}) == DEFAULT


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"value_added_clients_per_hour": 0}, "value_added_clients_per_hour", "1 to 100,000"),
        ({"value_added_clients_per_hour": 100_001}, "value_added_clients_per_hour", "100,000"),
        ({"value_added_clients_per_hour": "50"}, "value_added_clients_per_hour", "whole"),
        ({"egress_clients": True}, "egress_clients", "1 to 100,000"),
        ({"egress_clients": 1.5}, "egress_clients", "whole number"),
        ({"failed_signins": 0}, "failed_signins", "1 to 1,000"),
        ({"failed_signin_window_minutes": 10_081}, "failed_signin_window_minutes", "10,080"),
        ({"working_hours": [19, 7]}, "working_hours", "start < end"),
        ({"working_hours": [7, 7]}, "working_hours", "start < end"),
        ({"working_hours": [0, 25]}, "working_hours", "≤ 24"),
        ({"working_hours": [-1, 5]}, "working_hours", "0 ≤ start"),
        ({"working_hours": [7]}, "working_hours", "two whole hours"),
        ({"working_hours": "7-19"}, "working_hours", "two whole hours"),
        ({"working_hours": [7.5, 19]}, "working_hours", "two whole hours"),
        ({"working_days": []}, "working_days", "one or more of 0 to 6"),
        ({"working_days": [7]}, "working_days", "Monday = 0"),
        ({"working_days": [-1, 2]}, "working_days", "0 to 6"),
        ({"working_days": ["mon"]}, "working_days", "0 to 6"),
        ({"working_days": [[1]]}, "working_days", "0 to 6"),
        ({"working_days": 1}, "working_days", "0 to 6"),
    ],
)
def test_thresholds_refuse_bad_values(data, field, words):
    with pytest.raises(ThresholdError) as caught:
        AlertThresholds.from_json(data)
    assert caught.value.field == field
    assert field in str(caught.value) and words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_thresholds_must_be_an_object():
    with pytest.raises(ThresholdError, match="JSON object"):
        AlertThresholds.from_json([1, 2])  # type: ignore[arg-type]


def test_validated_returns_the_same_thresholds():
    assert DEFAULT.validated() is DEFAULT
    with pytest.raises(ThresholdError, match="working_days"):
        AlertThresholds(working_days=frozenset()).validated()


# ----------------------------------------------------------------------------- property

SMALL = AlertThresholds(
    value_added_clients_per_hour=2, egress_clients=5, failed_signins=2,
    failed_signin_window_minutes=10,
)  # fmt: skip

_kind = st.sampled_from(
    ["view"] * 6 + ["printed", "exported", "copied", "saved", "failed", "search"]
)


@st.composite
def _events(draw: Any, actors: list[str], first_seq: int) -> list[ActivityEvent]:
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(actors),
                _kind,
                # minutes from 13:00 local: after hours included, some close together
                st.one_of(st.integers(0, 90), st.integers(0, 8 * 60)),
                st.integers(0, 8),  # which client
                st.integers(0, 12),  # how many clients
            ),
            max_size=60,
        )
    )
    out = []
    for i, (actor, kind, minutes, client, n) in enumerate(specs):
        at = datetime(2026, 3, 6, 18, tzinfo=UTC) + timedelta(minutes=minutes)
        action, obj, details = {
            "view": ("client.viewed", f"client:{client}", {"value_added": True}),
            "printed": ("report.printed", f"report:R{i}", {"clients": n}),
            "exported": ("clients.exported", "", {"clients": n}),
            "copied": ("clients.copied", "", {"clients": n}),
            "saved": ("report.saved", f"report:R{i}", {"where": "x.pdf"}),
            "failed": ("signin.failed", actor, {"reason": "wrong password"}),
            "search": ("clients.searched", "", {"text": "flour"}),
        }[kind]
        out.append(ActivityEvent(first_seq + i, at, actor, action, obj, details))
    return out


@settings(max_examples=150, deadline=None)
@given(mine=_events(["bob"], 1), others=_events(["alice", "carol"], 10_000))
def test_other_peoples_events_never_change_an_actors_alerts(mine, others):
    def bobs(found: list[Alert]) -> list[Alert]:
        return [a for a in found if a.actor == "bob"]

    alone = find_alerts(mine, SMALL, UTC_MINUS_5)
    together = find_alerts(mine + others, SMALL, UTC_MINUS_5)
    assert bobs(together) == alone
    assert all(a.seqs for a in together)
    assert [a.ts for a in together] == sorted(a.ts for a in together)
