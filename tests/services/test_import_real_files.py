"""Contact files as the programs write them (issue 15): every person in them arrives.

The samples in tests/fixtures/contacts/ are written after each program's export, each with
the quirks that used to cost people: see the comment at each test for the program and
the quirk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crmdesk.errors import BadInput
from crmdesk.io.limits import ImportFormatError
from crmdesk.services.imports import ImportService
from crmdesk.services.imports_records import Choice
from crmdesk.services.settings import change_phone_region, settings
from tests.services.test_imports import all_clients

SAMPLES = Path(__file__).parent.parent / "fixtures" / "contacts"


@pytest.fixture
def importer(session):
    return ImportService(session)


def imported(importer, vault, name, **options):
    plan = importer.plan(SAMPLES / name, **options)
    importer.commit(plan)
    return plan, {c.name: c for c in all_clients(vault)}


def test_apple_contacts_vcard(importer, vault):
    # Apple Contacts: URL with an escaped colon (http\://), a street over two lines (\n in
    # ADR), item1.X-ABLabel, the company's own card (X-ABShowAs:COMPANY), a PHOTO, and
    # cards with only an email or only a phone (once dropped as "missing name").
    plan, clients = imported(importer, vault, "apple-contacts.vcf", region="US")
    assert (plan.counts.rows, plan.counts.to_add, plan.counts.to_join) == (4, 3, 1)
    assert set(clients) == {"+44 20 7946 0958", "only.mail@example.org", "Zoë's Bakery"}
    bakery = clients["Zoë's Bakery"]
    assert bakery.kind == "company" and bakery.phones == ["+12025550100"]
    assert bakery.addresses[0].street == "12 Harbour Lane, Unit 4"
    (zoe,) = bakery.contacts
    assert (zoe.name, zoe.title, zoe.birthday.isoformat()) == (
        "Zoë Łukasiewicz",
        "Owner",
        "1975-12-02",
    )
    assert zoe.phones == ["+12025550173", "+12025550174;ext=12"]  # the extension kept
    assert "HomePage: http://zoes-bakery.example/about" in zoe.notes
    assert "Spouse: Jan Łukasiewicz" in zoe.notes
    assert any("PHOTO: not imported" in str(a) for a in plan.assumptions)  # never silent
    assert clients["+44 20 7946 0958"].phones == ["+442079460958"]


def test_gmail_vcard_with_national_numbers_read_in_the_region(importer, vault):
    # Gmail: numbers without "+" (German 0351 223344), ;ext=, TYPE in both spellings
    # (TYPE=INTERNET;TYPE=HOME and TYPE=INTERNET,WORK), NICKNAME, a birthday without a year.
    plan, clients = imported(importer, vault, "gmail-de.vcf", region="DE")
    assert plan.phone_region == "DE" and plan.problems == ()
    karl = clients["Karl Müller"]
    assert karl.emails == ["karl.mueller@example.de", "k.mueller@firma.example"]
    assert karl.phones == ["+4915123456789", "+49351223344;ext=102"]
    assert karl.addresses[0].city == "Dresden" and karl.tags == ["Familie"]
    assert "Nickname: Kalle" in karl.notes
    assert (karl.contacts[0].birthday.month, karl.contacts[0].birthday.day) == (5, 17)
    assert clients["0351 998877"].phones == ["+49351998877"]  # only a phone: still a person


def test_the_vaults_region_is_used_without_region(importer, vault, session):
    # The same Gmail file, the vault set to Germany (crmdesk settings region DE).
    change_phone_region(session, "de")
    assert settings(session).phone_region == "DE"
    plan, clients = imported(importer, vault, "gmail-de.vcf")
    assert plan.phone_region == "DE" and clients["Karl Müller"].phones[0] == "+4915123456789"


def test_national_numbers_of_another_region_are_kept_not_dropped(importer, vault):
    # Read as US numbers, the German ones are not possible: each is kept in the notes,
    # marked, and the person is there (once the whole card was dropped).
    plan, clients = imported(importer, vault, "gmail-de.vcf", region="US")
    assert plan.counts.to_add == 2 and plan.counts.to_skip == 0
    assert "0151 23456789" in clients["Karl Müller"].notes


def test_an_unknown_region_is_refused_with_a_code(importer):
    with pytest.raises(BadInput) as caught:
        importer.plan(SAMPLES / "gmail-de.vcf", region="XX")
    assert caught.value.code == "region.unknown"


def test_vcard_21_with_quoted_printable_and_8bit_text(importer, vault):
    # An old phone / Outlook 2003: ADR in quoted-printable with soft line breaks and an
    # encoded line break, 8-bit text without CHARSET (detected, not refused), and a card
    # with CHARSET=UTF-8.
    plan, clients = imported(importer, vault, "vcard21-8bit.vcf", region="FR")
    assert plan.problems == ()
    assert any("without a character set" in str(a) for a in plan.assumptions)
    cafe = clients["Café de la Gare"]
    assert cafe.addresses[0].street == "3 rue de la Paix, Bâtiment B"
    assert (cafe.addresses[0].city, cafe.addresses[0].country) == ("Paris", "France")
    assert cafe.contacts[0].name == "Renée François"
    assert clients["Petr Novák"].phones == ["+420601123456"]


def test_vcard_21_legacy_text_in_the_encoding_given(importer, vault):
    plan, clients = imported(importer, vault, "vcard21-8bit.vcf", encoding="cp1252")
    assert "Café de la Gare" in clients


def test_owncloud_fold_inside_a_character_and_vcard_4(importer, vault):
    # ownCloud: a line folded in the middle of a UTF-8 character (the file was refused
    # with advice about CSV); vCard 4.0 ALTID/LANGUAGE names (the Japanese one kept, the
    # English as an alternative), ANNIVERSARY, RELATED, and a KIND:org card after its
    # person, with a MEMBER: one client with both people.
    plan, clients = imported(importer, vault, "owncloud-multibyte-fold.vcf")
    assert (plan.counts.to_add, plan.counts.to_join, plan.problems) == (1, 2, ())
    (company,) = clients.values()
    assert company.name == "Yamada Shoji" and company.phones == ["+81312340000"]
    taro, hanako = company.contacts
    assert taro.name.startswith("山田太郎（やまだたろう）") and taro.name.endswith("代表取締役社長")
    assert "Also written: Taro Yamada (en)" in taro.notes
    assert "Anniversary: 2001-06-09" in taro.notes and "Spouse: Hanako Yamada" in taro.notes
    assert hanako.name == "佐藤花子"


def test_kde_bare_fn_line(importer, vault):
    # KDE KAddressBook: a bare "FN" line (no colon) and its own X- properties.
    plan, clients = imported(importer, vault, "kde-kaddressbook.vcf")
    (client,) = clients.values()
    assert client.name == "Holzwerk Holzmann" and client.tags == ["Kunden"]
    assert client.contacts[0].name == "Ingrid Holzmann"
    assert client.contacts[0].phones == ["+49891234567"]


def test_google_contacts_csv_since_2023_from_india(importer, vault):
    # Google Contacts (new headers), an Indian phone's export: national numbers
    # (098765 43210), " ::: " multi-values in E-mail and Website, two numbered addresses,
    # "Labels", a row with only a phone.
    plan, clients = imported(importer, vault, "google-contacts-2023-in.csv", region="IN")
    assert (plan.counts.rows, plan.counts.to_add, plan.problems) == (3, 3, ())
    priya = clients["Priya Sharma"]
    assert priya.emails == ["priya.sharma@example.in", "priya@work.example.in"]
    assert priya.phones == ["+919876543210", "+912223456789"]
    assert [a.postal_code for a in priya.addresses] == ["411001", "411019"]
    assert priya.website == "https://priya.example.in" and priya.tags == ["Suppliers"]
    assert "https://blog.priya.example.in" in priya.notes
    rahul = clients["Verma Textiles"].contacts[0]
    assert (rahul.name, rahul.title, rahul.phones) == (
        "Rahul Verma",
        "Director",
        ["+918041234567;ext=21"],
    )
    assert clients["9876501234"].phones == ["+919876501234"]
    assert any('column "Photo": not imported' in str(a) for a in plan.assumptions)


def test_google_contacts_csv_before_2023_in_utf16(importer, vault):
    # Google Contacts (old headers, "Given Name", "Organization 1 - Name"), UTF-16, a
    # Chinese national number (010-67255922) in a file of US numbers: +86 needs the region.
    plan, clients = imported(importer, vault, "google-contacts-legacy.csv", region="CN")
    assert plan.encoding.label == "UTF-16 LE" and plan.counts.to_add == 2
    assert clients["Ann Lee"].emails == ["ann@example.com", "ann.lee@old.example"]
    bo = clients["Chen Design"].contacts[0]
    assert (bo.name, bo.title, bo.phones) == ("Bo Chen", "Partner", ["+861067255922"])


def test_outlook_csv_with_every_address_and_email(importer, vault):
    # Outlook 2016: Windows-1252, business/home/other address groups, E-mail 2 and 3,
    # its defaults (Priority, Sensitivity, Private) reported as not imported.
    plan, clients = imported(importer, vault, "outlook-2016.csv")
    assert plan.encoding.label == "Windows-1252"
    cafe = clients["Café Zoë"]
    assert [a.city for a in cafe.addresses] == ["Portland", "København", "Bangor"]
    assert cafe.addresses[0].street == "12 Harbour Lane, Suite 5"
    soren = cafe.contacts[0]
    assert soren.emails == ["soren@cafe.example", "s.k@home.example", "sk@other.example"]
    assert soren.phones == ["+12075550173", "+4533123456", "+12075550199"]
    assert soren.birthday.isoformat() == "1813-05-05"
    assert "Anniversary: 5/5/2010" in soren.notes
    left_out = " ".join(str(a) for a in plan.assumptions)
    assert 'column "Sensitivity": not imported' in left_out


def test_thunderbird_csv_birth_parts_and_secondary_email(importer, vault):
    # Thunderbird: Birth Year/Month/Day in three columns, Secondary Email, Work/Home
    # address groups, a row with only an email address.
    plan, clients = imported(importer, vault, "thunderbird.csv", region="PL")
    marta = clients["Kowalski Budownictwo"].contacts[0]
    assert marta.birthday.isoformat() == "1984-11-07"
    assert marta.emails == ["marta@kowalski-bud.example", "marta.k@poczta.example"]
    assert [a.city for a in clients["Kowalski Budownictwo"].addresses] == ["Warszawa", "Kraków"]
    assert "Nickname: Martusia" in marta.notes
    assert "noreply-only@example.net" in clients


def test_roundcube_csv(importer, vault):
    # Roundcube's labels: Email Home/Work, Phone Home/Work/Mobile, Home/Work address groups.
    plan, clients = imported(importer, vault, "roundcube.csv", region="CZ")
    company = clients["Dvořák a syn"]
    assert [a.city for a in company.addresses] == ["Praha", "Praha"]
    jana = company.contacts[0]
    assert jana.emails == ["jana@doma.example", "jana@firma-dvorak.example"]
    assert len(jana.phones) == 3 and "IM Jabber: jana@jabber.example" in jana.notes


def test_linkedin_connections_with_a_notes_preamble(importer, vault):
    # LinkedIn: a "Notes:" paragraph before the header (the file could not be imported
    # even with a mapping).
    plan, clients = imported(importer, vault, "linkedin-connections.csv")
    assert plan.header_row == 4
    assert any("the header is row 4" in str(a) for a in plan.assumptions)
    amara = clients["Okafor Logistics"].contacts[0]
    assert (amara.name, amara.title) == ("Amara Okafor", "COO")
    assert "Connected On: 12 Mar 2021" in amara.notes
    assert "Lucas Silva" in clients


def test_apple_numbers_table_exported_as_csv(importer, vault):
    # Apple Numbers (File > Export To > CSV, "Include table names" on): the table's name
    # on the line above the header, CRLF line ends, the header and every row padded with
    # the table's empty columns, and the empty rows a new table starts with written as
    # lines of bare commas; a person's birthday in the German order.
    plan, clients = imported(importer, vault, "apple-numbers.csv", region="DE")
    assert plan.header_row == 2
    assert any("the header is row 2" in str(a) for a in plan.assumptions)
    # Three people, and the table's empty rows are not rows with problems.
    assert plan.counts.rows == 3 and not plan.problems
    weber = clients["Weber Druck GmbH"]
    hannah = weber.contacts[0]
    assert (hannah.name, hannah.phones) == ("Hannah Weber", ["+491712345678"])
    assert hannah.birthday.isoformat() == "1980-06-14"
    assert weber.addresses[0].street == "Hauptstraße 5"
    assert clients["Jonas Krüger"].phones == ["+493419876543"]
    assert clients["Café Mokka"].emails == ["info@cafe-mokka.example"]


def test_shift_jis_csv_is_detected(importer, vault):
    # A Japanese Excel "CSV": Shift-JIS (once read as Windows-1252 mojibake).
    plan, clients = imported(importer, vault, "shift-jis.csv", region="JP")
    assert plan.encoding.label == "Shift-JIS"
    assert clients["株式会社山田商事"].contacts[0].name == "山田太郎"


def test_encoding_given_by_name(importer, tmp_path):
    plan = importer.plan(SAMPLES / "shift-jis.csv", encoding="Shift_JIS")
    assert plan.encoding.label == "Shift-JIS"
    with pytest.raises(BadInput) as caught:
        importer.plan(SAMPLES / "shift-jis.csv", encoding="klingon-8")
    assert caught.value.code == "import.encoding.unknown_name"


def test_a_calendar_is_refused_by_name(importer, tmp_path):
    # A Google Calendar .ics exported by mistake (once read as CSV).
    for name in ("calendar.ics", "calendar.csv"):
        shutil.copy(SAMPLES / "calendar.ics", tmp_path / name)
        with pytest.raises(ImportFormatError) as caught:
            importer.plan(tmp_path / name)
        assert caught.value.code == "import.not_contacts"
        assert "iCalendar" in str(caught.value)


def test_every_sample_keeps_every_person(importer, vault):
    # "Done when": every person of every program's file is there.
    people = 0
    for sample in sorted(SAMPLES.glob("*")):
        if sample.suffix == ".ics":
            continue
        plan = importer.plan(sample, on_duplicate=Choice.IMPORT)
        assert plan.counts.to_skip == 0, sample.name
        people += plan.counts.rows
    assert people >= 25


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("contacts.json", b'{"contacts": [{"name": "Ann"}]}', "not one crmdesk exported"),
        ("people.json", b'[{"name": "Ann"}]', "not one crmdesk exported"),
        ("book.ldif", b"dn: cn=Ann Lee,mail=ann@x.example\ncn: Ann Lee\n", "LDIF address book"),
        ("page.html", b"<!DOCTYPE html><html><body>x</body></html>", "HTML document"),
    ],
)
def test_files_that_are_not_contact_lists_are_refused_by_name(
    importer, tmp_path, name, content, said
):
    # Other JSON (Google Takeout's), Thunderbird's LDIF and a saved web page: named, with
    # the way to a file that can be imported, never read as CSV.
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFormatError) as caught:
        importer.plan(path)
    assert caught.value.code == "import.not_contacts" and said in str(caught.value)
