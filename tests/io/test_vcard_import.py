"""Reading vCard 3.0 and 4.0 files into client JSON."""

from __future__ import annotations

import pytest

from crmdesk.domain import client_from_json
from crmdesk.io.drafts import ProblemKind
from crmdesk.io.limits import ImportFormatError, Limits
from crmdesk.io.vcard_import import VcardReader

VCARD_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Łukasiewicz;Zoë;;Dr.;\r\n"
    "FN:Zoë Łukasiewicz\r\n"
    "ORG:Zoë's Bakery\\, Inc.;Sales\r\n"
    "TITLE:Owner\r\n"
    "EMAIL;TYPE=INTERNET,WORK:orders@zoes-bakery.example\r\n"
    "EMAIL;TYPE=INTERNET,HOME:zoe@home.example\r\n"
    "TEL;TYPE=WORK:+1 202 555 0173\r\n"
    "TEL;TYPE=CELL:(202) 555-0199\r\n"
    "ADR;TYPE=WORK:;Suite 4;12 Harbour Lane;Portland;ME;04101;US\r\n"
    "BDAY:1975-12-02\r\n"
    "NOTE:Prefers calls after 3 pm.\\nDecides in January\\, always.\r\n"
    "URL:https://zoes-bakery.example\r\n"
    "CATEGORIES:VIP,wholesale\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgF\r\n"
    " BQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/wAALCAABAAEB\r\n"
    "END:VCARD\r\n"
)
VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "KIND:individual\n"
    "FN:Ann Lee\n"
    "N:Lee;Ann;;;\n"
    "EMAIL;TYPE=work:ann@example.com\n"
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-202-555-0123\n'
    "BDAY:--1202\n"
    "ADR;TYPE=home:;;1 Main St;Springfield;IL;62701;USA\n"
    "CATEGORIES:friends,golf\n"
    "END:VCARD\n"
)
COMPANY_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Harbour Foods\r\nN:;;;;\r\nORG:Harbour Foods\r\n"
    "X-ABShowAs:COMPANY\r\nEMAIL:info@harbour.example\r\nEND:VCARD\r\n"
)


def drafts(tmp_path, text, *, encoding="utf-8", limits=None):
    path = tmp_path / "cards.vcf"
    path.write_bytes(text.encode(encoding))
    with VcardReader(path, None, limits or Limits()) as reader:
        found = list(reader.drafts())
        reader.finish()
    return found


def test_vcard_30_becomes_a_company_with_its_person(tmp_path):
    (draft,) = drafts(tmp_path, VCARD_30)
    # The person's emails, phones, notes and web page are the person's (issue 15); the
    # address and categories go to the company; the photo is reported, not dropped.
    assert draft.data == {
        "name": "Zoë's Bakery, Inc.",
        "kind": "company",
        "addresses": [
            {
                "street": "12 Harbour Lane, Suite 4",
                "city": "Portland",
                "region": "ME",
                "postal_code": "04101",
                "country": "US",
            }
        ],
        "tags": ["VIP", "wholesale"],
        "contacts": [
            {
                "name": "Zoë Łukasiewicz",
                "emails": ["orders@zoes-bakery.example", "zoe@home.example"],
                "phones": ["+1 202 555 0173", "(202) 555-0199"],
                "title": "Owner",
                "birthday": "1975-12-02",
                "notes": "Prefers calls after 3 pm.\nDecides in January, always.\n"
                "Department: Sales\nWebsite: https://zoes-bakery.example",
            }
        ],
    }
    assert draft.group == "org:zoe s bakery inc" and draft.ignored == ["PHOTO"]
    client = client_from_json(draft.data)
    assert client.contacts[0].phones == ["+12025550173", "+12025550199"]


def test_vcard_40_individual_with_a_birthday_without_year(tmp_path):
    (draft,) = drafts(tmp_path, VCARD_40)
    client = client_from_json(draft.data)
    assert client.kind == "individual" and client.name == "Ann Lee"
    assert client.phones == ["+12025550123"]  # the tel: URI is unwrapped
    assert client.tags == ["friends", "golf"]
    assert client.contacts[0].birthday.isoformat() == "1900-12-02"  # shown without an age
    assert client.addresses[0].city == "Springfield"


def test_a_companys_own_card_has_no_person(tmp_path):
    (draft,) = drafts(tmp_path, COMPANY_CARD)
    assert draft.data == {
        "name": "Harbour Foods",
        "kind": "company",
        "emails": ["info@harbour.example"],
    }


def test_several_cards_in_order_with_their_lines(tmp_path):
    found = drafts(tmp_path, VCARD_30 + "\r\n" + VCARD_40 + COMPANY_CARD)
    assert [(d.row, d.line) for d in found] == [(1, 1), (2, 20), (3, 31)]


def test_n_alone_gives_the_name(tmp_path):
    (draft,) = drafts(tmp_path, "BEGIN:VCARD\nVERSION:3.0\nN:Reed;Sam;;;\nEND:VCARD\n")
    assert draft.data["name"] == "Sam Reed"


def test_vcard_21_quoted_printable_is_read(tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB Lee\r\n"
        "END:VCARD\r\n"
    )
    (draft,) = drafts(tmp_path, text)
    assert draft.data["name"] == "Zoë Lee"


def test_utf16_vcards_are_read(tmp_path):
    (draft,) = drafts(tmp_path, VCARD_40, encoding="utf-16")
    assert draft.data["name"] == "Ann Lee"


def test_a_card_that_cannot_be_read_is_a_problem_of_that_card_only(tmp_path):
    found = drafts(tmp_path, "BEGIN:VCARD\nFN without colon\nEND:VCARD\n" + VCARD_40)
    assert found[0].data is None and found[0].issues[0].kind is ProblemKind.UNREADABLE
    assert "card 1 (line 1) cannot be read: line 2 has no" in found[0].issues[0].message
    assert found[1].data["name"] == "Ann Lee"


def test_a_line_that_cannot_be_read_costs_only_itself(tmp_path):
    found = drafts(tmp_path, "BEGIN:VCARD\nFN:Ann Lee\nNOTE without colon\nEND:VCARD\n")
    assert found[0].data["name"] == "Ann Lee"
    assert found[0].data["notes"] == (
        '⚠ Line 3, kept as written: NOTE without colon (it has no ":" between its name and value)'
    )
    assert "line 3 cannot be read" in found[0].issues[0].message


def test_a_truncated_file_spoils_its_last_card(tmp_path):
    found = drafts(tmp_path, VCARD_40 + "BEGIN:VCARD\nVERSION:3.0\nFN:Cut")
    assert found[0].data is not None
    assert (
        "no END:VCARD" in found[1].issues[0].message and "truncated" in found[1].issues[0].message
    )


def test_a_huge_property_spoils_only_its_card_without_being_held(tmp_path):
    limits = Limits(max_property_chars=1_000)
    folded = "NOTE:" + "\r\n ".join(["x" * 74] * 200)  # about 15,000 characters, folded
    text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Big\r\n{folded}\r\nEND:VCARD\r\n" + VCARD_40
    found = drafts(tmp_path, text, limits=limits)
    assert "NOTE property (line 4) is longer than 1,000 characters" in found[0].issues[0].message
    assert found[1].data["name"] == "Ann Lee"


def test_photos_are_skipped_unread_whatever_their_size(tmp_path):
    photo = "PHOTO;ENCODING=b:" + "\r\n ".join(["QUJD" * 18] * 5000)
    text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pic\r\n{photo}\r\nEND:VCARD\r\n"
    (draft,) = drafts(tmp_path, text, limits=Limits(max_property_chars=1_000))
    assert draft.data == {"name": "Pic", "kind": "individual"}
    assert draft.ignored == ["PHOTO"]  # reported as not imported


def test_deep_nesting_is_refused_per_card(tmp_path):
    text = "BEGIN:VCARD\n" * 5000 + "END:VCARD\n" * 5000 + VCARD_40
    found = drafts(tmp_path, text)
    assert "nested more than 2 deep" in found[0].issues[0].message
    assert found[1].data["name"] == "Ann Lee"


def test_text_outside_cards_is_refused_naming_the_line(tmp_path):
    with pytest.raises(ImportFormatError, match="Line 3 of cards.vcf is not part of a vCard"):
        drafts(tmp_path, "\n\nName,Email\n")


def test_a_card_without_end_keeps_its_person_and_the_next_cards(tmp_path):
    # Issue 15: vobject said "This component already has a PROFILE or uses BEGIN" and the
    # file was lost. Now the card is kept, the missing END said with its line, and the
    # BEGIN starts the next card; a value's problem names its property's line.
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Chen\r\nEMAIL:bo@@x\r\nEND:VCARD\r\n"
    )
    ann, bo = drafts(tmp_path, text)
    assert ann.data["name"] == "Ann Lee"
    assert [i.message for i in ann.issues] == [
        "line 4: the card before it has no END:VCARD; a new card begins here"
    ]
    assert "notes" not in ann.data
    assert bo.data["name"] == "Bo Chen" and bo.line == 4
    assert bo.origins["emails[0]"] == "EMAIL (line 7)"  # what a problem names
