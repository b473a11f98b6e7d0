"""The role matrix through the service layer: each role x each operation.

An allowed operation leaves exactly its audit event; a refused one raises NotAllowed
naming the roles that may, and leaves exactly one ``access.denied`` event.
"""

from __future__ import annotations

import pytest

from crmdesk.domain.policy_text import default_policy
from crmdesk.errors import NotAllowed
from crmdesk.services.activity import ActivityService
from crmdesk.services.client_query import ClientQuery
from crmdesk.services.clients import ClientService
from crmdesk.services.clipboard import copy_clients
from crmdesk.services.demo import create_demo_clients
from crmdesk.services.exports import ExportService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.reports import ReportService
from crmdesk.services.settings import change_settings
from tests.services.office import actions, fast_passwords, last_seq, make_office  # noqa: F401

ALL = {"zoe", "mia", "sam", "ann"}
MANAGERS = {"zoe", "mia"}
SELLERS = {"zoe", "mia", "sam"}
OWNER = {"zoe"}

# name -> (operation, who may, the events it leaves)
OPERATIONS = {
    "add a client": (lambda s, o: ClientService(s).add({"name": "New Co"}), ALL,
                     ["client.created"]),
    "change basic information": (
        lambda s, o: ClientService(s).update(o.zoes_client, {"phone": "+1 202 555 0199"}),
        ALL, ["client.updated"]),
    "change value-added information of another's client": (
        lambda s, o: ClientService(s).update(o.zoes_client, {"notes": "new plan"}),
        MANAGERS, ["client.updated"]),
    "assign a client": (
        lambda s, o: ClientService(s).update(o.sams_client, {"salesperson": "Mia Ortega"}),
        MANAGERS, ["client.updated"]),
    "delete a client": (lambda s, o: ClientService(s).delete(o.zoes_client), MANAGERS,
                        ["client.deleted"]),
    "search": (lambda s, o: ClientService(s).search("Harbour"), ALL, ["clients.searched"]),
    "see birthdays": (lambda s, o: ClientService(s).birthdays(within_days=40), SELLERS, []),
    "print a client summary": (
        lambda s, o: ReportService(s).client_summary(o.zoes_client), SELLERS,
        ["report.printed"]),
    "print a client list": (lambda s, o: ReportService(s).client_list(ClientQuery()),
                            MANAGERS, ["report.printed"]),
    "print a call list": (lambda s, o: ReportService(s).call_list(), ALL, ["report.printed"]),
    "copy clients": (
        lambda s, o: copy_clients(s, ClientService(o.owner).list()), MANAGERS,
        ["clients.copied"]),
    "export clients": (
        lambda s, o: ExportService(s).export("csv", ClientQuery(),
                                             o.vault.folder.parent / "export.csv"),
        MANAGERS, ["clients.exported"]),
    "list users": (lambda s, o: UserService(s).list(), OWNER, []),
    "add a user": (lambda s, o: UserService(s).add("new", "New Person", "assistant",
                                                   "initial password 2"), OWNER, ["user.added"]),
    "publish the policy": (
        lambda s, o: PolicyService(s).publish(default_policy("X") + "\n\nAlso: lock screens."),
        OWNER, ["policy.published", "policy.accepted"]),
    "read the activity log": (lambda s, o: ActivityService(s).log(), OWNER, []),
    "change alert settings": (lambda s, o: change_settings(s, screen_watermark=False), OWNER,
                              ["settings.changed"]),
    "print the measures report": (lambda s, o: ReportService(s).measures(), OWNER,
                                  ["report.printed"]),
    "add demo data": (lambda s, o: create_demo_clients(s, 3), OWNER, ["clients.created"]),
}  # fmt: skip


@pytest.mark.parametrize("login", sorted(ALL))
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_role_matrix(vault, fast_passwords, login, operation):  # noqa: F811
    office = make_office(vault)
    session = office.session(login)
    run, allowed, events = OPERATIONS[operation]
    before = last_seq(vault)
    if login in allowed:
        run(session, office)
        assert actions(vault, before) == events
    else:
        with pytest.raises(NotAllowed, match=r"only the .*(Owner|Manager)") as caught:
            run(session, office)
        assert "may not" in caught.value.message
        assert actions(vault, before) == ["access.denied"]
        assert caught.value.exit_code == 6
