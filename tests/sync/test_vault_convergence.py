"""Issue 14, part 7, with real vaults: an office vault, a Manager's laptop (every book)
and a Salesperson's laptop (their book), random offline edits of the same clients on
each, synced in random orders: once everyone has synced, the office and the Manager's
laptop hold the same clients field for field, and the Salesperson's laptop the same
basic information (and the same value-added information of their own clients)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.domain import client_to_json
from crmdesk.domain.need_to_know import redact_client
from crmdesk.services.clients import ClientService
from crmdesk.services.replication import exchange
from crmdesk.vault import Vault
from tests.conftest import OWNER
from tests.services.office import fast_passwords  # noqa: F401  (fixture)
from tests.support import MemoryKeyStore
from tests.sync.office_vaults import client_id, join_laptop, office_with_folder

NAMES = ("Reed Supplies", "Harbour Foods", "Park Logistics")
DEVICES = ("office", "mia", "sam")
EDITS = st.one_of(
    st.tuples(st.just("industry"), st.sampled_from(["Timber", "Fishing", "Freight", ""])),
    st.tuples(st.just("website"), st.sampled_from(["a.example", "b.example"])),
    st.tuples(st.just("notes"), st.sampled_from(["Budget cut.", "Moved to Q2.", ""])),
    st.tuples(st.just("tags"), st.sampled_from([["VIP"], ["VIP", "north"], []])),
    st.tuples(st.just("contact"), st.sampled_from(["Ann Lee", "Bo Chan"])),
    st.tuples(st.just("purchase"), st.sampled_from(["Gadget", "Sprocket"])),
    st.tuples(st.just("drop_contact"), st.just(None)),
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.sampled_from(DEVICES), st.sampled_from(NAMES), EDITS),
        st.tuples(st.just("sync"), st.sampled_from(DEVICES), st.none(), st.none()),
    ),
    min_size=3,
    max_size=14,
)


def _edit(service: ClientService, cid: int, edit: tuple) -> None:
    field, value = edit
    current = service.get_json(cid)
    if field == "contact":
        patch = {"contacts": [*current["contacts"], {"name": value}]}
    elif field == "drop_contact":
        patch = {"contacts": current["contacts"][1:]}
    elif field == "purchase":
        item = {"product": value, "quantity": "1", "unit_price": "2.50"}
        patch = {"purchases": [*current["purchases"], {"date": "2026-11-30", "items": [item]}]}
    else:
        patch = {field: value}
    service.update(cid, patch)


def _shown(vault, service: ClientService, *, redact: bool = False) -> dict[str, dict]:
    found = {}
    for name in NAMES:
        client = service.get(client_id(vault, name), record_view=False)
        if redact:
            client = redact_client(client)
        data = client_to_json(client)
        for key in ("id", "version", "created_at", "updated_at"):
            data.pop(key, None)
        found[name] = data
    return found


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_random_offline_edits_converge_on_every_vault(tmp_path_factory, fast_passwords, steps):  # noqa: F811
    tmp = tmp_path_factory.mktemp("office")
    vault, _ = Vault.create(tmp / "vault", OWNER, keystore=MemoryKeyStore())
    try:
        shared = tmp / "shared"
        office = office_with_folder(vault, shared)
        mia = join_laptop(office, "mia", "Mia Ortega", tmp / "mia", shared)
        sam = join_laptop(office, "sam", "Sam Reed", tmp / "sam", shared)
        owner = office.owner
        sync = {"office": lambda: exchange.sync_now(owner), "mia": mia.sync, "sam": sam.sync}
        for _ in range(2):
            for name in ("mia", "sam", "office"):
                sync[name]()
        services = {"office": ClientService(owner), "mia": mia.clients(), "sam": sam.clients()}
        vaults = {"office": office.vault, "mia": mia.vault, "sam": sam.vault}
        for kind, device, name, edit in steps:
            if kind == "sync":
                sync[device]()
                continue
            if device == "sam" and name != "Reed Supplies" and edit[0] in ("notes", "purchase"):
                continue  # value-added of another's client: not Sam's to edit
            _edit(services[device], client_id(vaults[device], name), edit)
        for _ in range(3):
            for name in ("mia", "sam", "office"):
                sync[name]()

        at_office = _shown(office.vault, services["office"])
        assert _shown(mia.vault, services["mia"]) == at_office
        on_sam = _shown(sam.vault, services["sam"], redact=True)
        assert on_sam == {k: client_to_json_redacted(v) for k, v in at_office.items()}
        sams_own = _shown(sam.vault, services["sam"])["Reed Supplies"]
        assert sams_own == at_office["Reed Supplies"]
    finally:
        for session in (locals().get("owner"),):
            if session is not None:
                session.close()


def client_to_json_redacted(data: dict) -> dict:
    from crmdesk.domain import client_from_json

    client = client_from_json(data)
    shown = client_to_json(redact_client(client))
    return shown
