"""Coverage and the meeting brief for each role: a person sees coverage only of the clients
whose value-added information they see; for the others it is withheld, never missing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from crmdesk.domain.classification import COVERAGE_KEYS
from crmdesk.errors import NotAllowed
from crmdesk.services.client_query import ClientQuery, SortKey
from crmdesk.services.clients import ClientService
from crmdesk.services.coverage import CoverageService
from crmdesk.services.reports import ReportService
from tests.services.conftest import TODAY
from tests.services.office import actions, fast_passwords, last_seq, make_office  # noqa: F401

ALL = {"zoe", "mia", "sam", "ann"}
SELLERS = {"zoe", "mia", "sam"}

# name -> (operation, who may, the events it leaves)
OPERATIONS = {
    "list clients missing pricing": (
        lambda s, o: ClientService(s).list(ClientQuery(missing=("pricing",))), SELLERS, []),
    "sort the list by coverage": (
        lambda s, o: ClientService(s).list(ClientQuery(sort=SortKey.COVERAGE)), SELLERS, []),
    "see the coverage of the book": (lambda s, o: CoverageService(s).book(), SELLERS, []),
    "print the coverage report": (lambda s, o: ReportService(s).coverage(), SELLERS,
                                  ["report.printed"]),
    "print a meeting brief": (lambda s, o: ReportService(s).meeting_brief(o.zoes_client),
                              SELLERS, ["report.printed"]),
    "see a page's coverage": (lambda s, o: ClientService(s).coverage([o.zoes_client]), ALL, []),
}  # fmt: skip


@pytest.mark.parametrize("login", sorted(ALL))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_coverage_role_matrix(vault, fast_passwords, login, operation):  # noqa: F811
    office = make_office(vault)
    session = office.session(login)
    run, allowed, events = OPERATIONS[operation]
    before = last_seq(vault)
    if login in allowed:
        run(session, office)
        assert actions(vault, before) == events
    else:
        with pytest.raises(NotAllowed, match=r"only the .*(Owner|Manager)"):
            run(session, office)
        assert actions(vault, before) == ["access.denied"]


@pytest.mark.parametrize(
    ("login", "sees"),
    [("zoe", {"sams", "zoes"}), ("mia", {"sams", "zoes"}), ("sam", {"sams"}), ("ann", set())],
)
def test_each_role_sees_coverage_only_where_it_sees_the_record(
    vault,
    fast_passwords,  # noqa: F811
    login,
    sees,
):
    office = make_office(vault)
    clients = ClientService(office.session(login))
    ids = {"sams": office.sams_client, "zoes": office.zoes_client}
    found = clients.coverage(list(ids.values()))
    rows = {r.id: r for r in clients.list()}
    for who, client_id in ids.items():
        shown = clients.get_json(client_id, record_view=False)["coverage"]
        if who in sees:
            assert not found[client_id].withheld
            # The office's clients hold every kind but specifications.
            assert found[client_id].held == set(COVERAGE_KEYS) - {"specifications"}
            assert rows[client_id].coverage == found[client_id]
            assert shown["categories"]["specifications"] == "missing"
        else:
            assert found[client_id].withheld and rows[client_id].coverage.withheld
            assert set(shown["categories"].values()) == {"withheld"}
            assert shown["withheld"] == "not your client" and shown["held"] is None


def test_a_salesperson_finds_only_their_own_clients_missing_something(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    session = office.session("sam")
    sam = ClientService(session)
    missing = [r.id for r in sam.list(ClientQuery(missing=("specifications",)))]
    assert missing == [office.sams_client]  # the owner's client is withheld, not missing
    by_coverage = sam.list(ClientQuery(sort=SortKey.COVERAGE))
    # Sorting reveals nothing withheld: the client sam may not see comes last.
    assert [r.id for r in by_coverage] == [office.sams_client, office.zoes_client]
    book = CoverageService(session, today=lambda: TODAY).book()
    assert book.book.clients == 1 and book.scope == "the clients of Sam Reed"
    assert [f.client_id for f in book.gaps] == [office.sams_client]


def test_a_brief_of_someone_elses_client_says_what_was_withheld(
    vault,
    fast_passwords,  # noqa: F811
):
    office = make_office(vault)
    printed = ReportService(office.session("sam")).meeting_brief(office.zoes_client)
    reader = PdfReader(io.BytesIO(printed.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Withheld: not your client" in text
    assert "Harbour Foods" in text and "Pat Doe" in text  # basic information is shown
    for secret in ("golf", "two sons", "17.50", "mornings", "holiday stock", "rebate", "Widget"):
        assert secret not in text, secret
    assert "Sam Reed" in text  # the watermark and footer name who printed it
    assert printed.record.kind == "meeting-brief"
    assert printed.record.client_ids == [office.zoes_client]
