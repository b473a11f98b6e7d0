"""The columns of the contact files programs write, and the targets they fill.

Header labels are compared folded (:func:`header_key`: lower case, no accents, words
only). Known are the headers of Google Contacts (the CSV before 2023 and after), Outlook,
Thunderbird, Roundcube, Apple Numbers tables, LinkedIn's connections, crmdesk's own
export (old and new) and the words other CRMs use. A column crmdesk has no field for is
kept in the notes with its label (``Nickname: Bob``) when its values are the person's
own; columns that only hold a program's defaults ("Sensitivity: Normal") are "ignore",
and the import reports them ("column X: not imported").
"""

from __future__ import annotations

import re

from crmdesk.domain.text import fold

IGNORE = "ignore"
LABEL = "label"
COMPANY = "name:company"  # a company column: "Company", "Organization 1 - Name"...
PLAIN_NAME = "name:plain"  # "Name": the client, or the person when a company column exists

# Column words whose value is the notes themselves, not something to label.
NOTE_WORDS = frozenset(
    {"notes", "note", "comment", "comments", "description", "remarks", "info", "contact notes",
     "memo", "notizen", "notiz", "bemerkung", "bemerkungen", "remarques"}
)  # fmt: skip

# Address groups: the business (work) address is the first, home the second, other the
# third (Outlook, Thunderbird and Roundcube name them so).
_GROUPS = {"business": "address", "work": "address", "home": "address2", "other": "address3"}
_PARTS = {
    "street": "street",
    "street 2": "street",
    "street 3": "street",
    "address": "street",
    "address 2": "street",
    "address po box": "street",
    "po box": "street",
    "city": "city",
    "state": "region",
    "region": "region",
    "postal code": "postal_code",
    "zipcode": "postal_code",
    "zip": "postal_code",
    "country": "country",
    "country region": "country",
}

EXACT: dict[str, str] = {
    # crmdesk's export (see io/csv_export.py; older exports had Email, Phone, Street...)
    "client id": "client_key",
    "name": PLAIN_NAME,
    "kind": "kind",
    "status": "status",
    "industry": "industry",
    "salesperson": "salesperson",
    "email": "email",
    "emails": "emails",
    "phone": "phone",
    "phones": "phones",
    "website": "website",
    "street": "address.street",
    "city": "address.city",
    "region": "address.region",
    "postal code": "address.postal_code",
    "country": "address.country",
    "tags": "tags",
    "notes": "notes",
    "source": "source",
    "contact name": "contact.name",
    "contact title": "contact.title",
    "contact email": "contact.email",
    "contact emails": "contact.emails",
    "contact phone": "contact.phone",
    "contact phones": "contact.phones",
    "contact birthday": "contact.birthday",
    "contact notes": "contact.notes",
    # Google Contacts: before 2023 ("Given Name") and after ("First Name")
    "given name": "contact.given_name",
    "additional name": "contact.middle_name",
    "family name": "contact.family_name",
    "name prefix": "contact.notes",
    "name suffix": "contact.notes",
    "nickname": "contact.notes",
    "short name": "contact.notes",
    "maiden name": "contact.notes",
    "initials": "contact.notes",
    "yomi name": "contact.notes",
    "given name yomi": "contact.notes",
    "additional name yomi": "contact.notes",
    "family name yomi": "contact.notes",
    "phonetic first name": "contact.notes",
    "phonetic middle name": "contact.notes",
    "phonetic last name": "contact.notes",
    "file as": "contact.notes",
    "birthday": "contact.birthday",
    "gender": "contact.notes",
    "occupation": "contact.notes",
    "hobby": "contact.hobbies",
    "language": "contact.notes",
    "location": "contact.notes",
    "subject": "contact.notes",
    "billing information": "contact.notes",
    "directory server": "contact.notes",
    "mileage": "contact.notes",
    "priority": IGNORE,  # Outlook and Google write "Normal"
    "sensitivity": IGNORE,
    "photo": IGNORE,  # a link to a picture: crmdesk keeps no pictures
    "group membership": "tags",
    "labels": "tags",
    "organization 1 name": COMPANY,
    "organization name": COMPANY,
    "organization 1 title": "contact.title",
    "organization title": "contact.title",
    "organization 1 department": "contact.notes",
    "organization department": "contact.notes",
    "organization 1 job description": "contact.notes",
    "organization 1 location": "contact.notes",
    "organization 1 symbol": "contact.notes",
    "organization 1 yomi name": "contact.notes",
    "organization 1 type": LABEL,
    # Outlook
    "title": "contact.title",  # Outlook's is the courtesy title: see guess_mapping
    "first name": "contact.given_name",
    "middle name": "contact.middle_name",
    "last name": "contact.family_name",
    "suffix": "contact.notes",
    "company": COMPANY,
    "department": "contact.notes",
    "job title": "contact.title",
    "e mail address": "email",
    "e mail type": LABEL,
    "e mail display name": LABEL,
    "e mail 2 address": "email",
    "e mail 2 type": LABEL,
    "e mail 2 display name": LABEL,
    "e mail 3 address": "email",
    "e mail 3 type": LABEL,
    "e mail 3 display name": LABEL,
    "assistant s phone": "phone",
    "business fax": "phone",
    "business phone": "phone",
    "business phone 2": "phone",
    "callback": "phone",
    "car phone": "phone",
    "company main phone": "phones",  # the company's, not the person's
    "home fax": "phone",
    "home phone": "phone",
    "home phone 2": "phone",
    "isdn": "phone",
    "mobile phone": "phone",
    "other fax": "phone",
    "other phone": "phone",
    "pager": "phone",
    "primary phone": "phone",
    "radio phone": "phone",
    "tty tdd phone": "phone",
    "telex": "phone",
    "account": "contact.notes",
    "anniversary": "contact.notes",
    "assistant s name": "contact.notes",
    "children": "contact.family",
    "spouse": "contact.family",
    "categories": "tags",
    "keywords": "tags",
    "government id number": "contact.notes",
    "internet free busy": "contact.notes",
    "manager s name": "contact.notes",
    "office location": "contact.notes",
    "organizational id number": "contact.notes",
    "private": IGNORE,  # Outlook's "False"
    "profession": "contact.notes",
    "referred by": "source",
    "user 1": "contact.notes",
    "user 2": "contact.notes",
    "user 3": "contact.notes",
    "user 4": "contact.notes",
    "web page": "web_page",
    # Thunderbird
    "display name": "contact.name",
    "primary email": "email",
    "secondary email": "email",
    "screen name": "contact.notes",
    "chat name": "contact.notes",
    "work phone": "phone",
    "fax number": "phone",
    "pager number": "phone",
    "mobile number": "phone",
    "home address": "address2.street",
    "home address 2": "address2.street",
    "home zipcode": "address2.postal_code",
    "work address": "address.street",
    "work address 2": "address.street",
    "work zipcode": "address.postal_code",
    "organization": COMPANY,
    "web page 1": "web_page",
    "web page 2": "web_page",
    "birth year": "contact.birthday.year",
    "birth month": "contact.birthday.month",
    "birth day": "contact.birthday.day",
    "custom 1": "contact.notes",
    "custom 2": "contact.notes",
    "custom 3": "contact.notes",
    "custom 4": "contact.notes",
    # Atmail (Roundcube reads its files too)
    "home mobile": "phone",
    "work mobile": "phone",
    "work fax": "phone",
    "work title": "contact.title",
    "work company": COMPANY,
    "work dept": "contact.notes",
    "user photo": IGNORE,
    # Roundcube's own columns (its csv2vcard labels)
    "email home": "email",
    "email work": "email",
    "email other": "email",
    "phone home": "phone",
    "phone work": "phone",
    "phone mobile": "phone",
    "phone video": "phone",
    "phone other": "phone",
    "im aim": "contact.notes",
    "im icq": "contact.notes",
    "im jabber": "contact.notes",
    "im msn": "contact.notes",
    "im skype": "contact.notes",
    "im yahoo": "contact.notes",
    "im other": "contact.notes",
    "website blog": "web_page",
    "website home page": "web_page",
    "website other": "web_page",
    "website profile": "web_page",
    "website work": "web_page",
    # LinkedIn's connections
    "email address": "email",
    "position": "contact.title",
    "connected on": "contact.notes",
    "url": "web_page",
    # other CRMs and hand-made lists
    "company name": COMPANY,
    "organisation": COMPANY,
    "organisation name": COMPANY,
    "business name": COMPANY,
    "account name": COMPANY,
    "client": "name",
    "client name": "name",
    "customer": "name",
    "customer name": "name",
    "full name": "contact.name",
    "contact": "contact.name",
    "contact person": "contact.name",
    "person": "contact.name",
    "forename": "contact.given_name",
    "surname": "contact.family_name",
    "e mail": "email",
    "mail": "email",
    "e mail addresses": "emails",
    "email addresses": "emails",
    "primary e mail": "email",
    "work email": "email",
    "business email": "email",
    "personal email": "email",
    "other email": "email",
    "telephone": "phone",
    "telephone number": "phone",
    "phone number": "phone",
    "phone numbers": "phones",
    "tel": "phone",
    "mobile": "phone",
    "mobile number 2": "phone",
    "cell": "phone",
    "cell phone": "phone",
    "web": "web_page",
    "web site": "web_page",
    "homepage": "web_page",
    "home page": "web_page",
    "sales rep": "salesperson",
    "sales person": "salesperson",
    "salesman": "salesperson",
    "account owner": "salesperson",
    "account manager": "salesperson",
    "assigned to": "salesperson",
    "owner": "salesperson",
    "tag": "tags",
    "category": "tags",
    "groups": "tags",
    "group": "tags",
    "address": "address.street",
    "street address": "address.street",
    "address line 1": "address.street",
    "address line 2": "address.street",
    "address 1": "address.street",
    "address 2": "address.street",
    "street 2": "address.street",
    "town": "address.city",
    "state": "address.region",
    "province": "address.region",
    "county": "address.region",
    "state province": "address.region",
    "region state": "address.region",
    "zip": "address.postal_code",
    "zip code": "address.postal_code",
    "postcode": "address.postal_code",
    "post code": "address.postal_code",
    "zip postal code": "address.postal_code",
    "postal code zip": "address.postal_code",
    "country region": "address.country",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "description": "notes",
    "remarks": "notes",
    "info": "notes",
    "sector": "industry",
    "lead source": "source",
    "stage": "status",
    "lead status": "status",
    "client status": "status",
    "customer status": "status",
    "client kind": "kind",
    "client type": "kind",
    "customer type": "kind",
    "role": "contact.title",
    "date of birth": "contact.birthday",
    "birth date": "contact.birthday",
    "birthdate": "contact.birthday",
    "dob": "contact.birthday",
    # Japanese CRMs and Excel lists (Shift-JIS files)
    "会社名": COMPANY,
    "企業名": COMPANY,
    "氏名": "contact.name",
    "名前": "contact.name",
    "担当者": "contact.name",
    "担当者名": "contact.name",
    "メール": "email",
    "メールアドレス": "email",
    "電話": "phone",
    "電話番号": "phone",
    "携帯電話": "phone",
    "住所": "address.street",
    "郵便番号": "address.postal_code",
    "役職": "contact.title",
    "備考": "notes",
}

# Numbered columns: Google's "E-mail 2 - Value" and "Address 2 - City", Outlook's "E-mail 3
# Address", Outlook's, Thunderbird's and Roundcube's "Home City" and "Work ZipCode"...
_NUMBERED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"e ?mail \d+ (value|address)"), "email"),
    (re.compile(r"e ?mail \d+ (type|label|display name)"), LABEL),
    (re.compile(r"phone \d+ value"), "phone"),
    (re.compile(r"phone \d+ (type|label)"), LABEL),
    (re.compile(r"website \d+ value"), "web_page"),
    (re.compile(r"website \d+ (type|label)"), LABEL),
    (re.compile(r"(event|relation|custom field|im) \d+ value"), "contact.notes"),
    (re.compile(r"(event|relation|custom field|im) \d+ (type|label|service)"), LABEL),
    (re.compile(r"address \d+ (type|label)"), LABEL),
)
_GOOGLE_ADDRESS = re.compile(
    r"address (\d+) (street|extended address|po box|city|region|postal code|country|formatted)"
)
_GROUPED_ADDRESS = re.compile(r"(business|work|home|other) (.+)")


def header_key(label: str) -> str:
    """A header label as the tables above name it: "E-mail 2 - Value" -> "e mail 2 value"."""
    # Letters of every script stay ("会社名"): a Japanese header is words too.
    return " ".join(re.sub(r"[\W_]+", " ", fold(label)).split())


def _address_target(key: str) -> str | None:
    m = _GOOGLE_ADDRESS.fullmatch(key)
    if m:
        n = int(m.group(1))
        group = "address" if n == 1 else f"address{n}" if n <= 9 else None
        part = {
            "extended address": "street",
            "po box": "street",
            "postal code": "postal_code",
        }.get(m.group(2), m.group(2))
        return f"{group}.{part}" if group else IGNORE
    m = _GROUPED_ADDRESS.fullmatch(key)
    if m and m.group(2) in _PARTS:
        return f"{_GROUPS[m.group(1)]}.{_PARTS[m.group(2)]}"
    if m and m.group(2) in ("address po box", "address city"):
        return f"{_GROUPS[m.group(1)]}.street"
    return None


def raw_target(label: str) -> str:
    """The target a header label names by itself, before the header as a whole is seen."""
    key = header_key(label)
    target = EXACT.get(key)
    if target is None:
        target = _address_target(key)
    if target is None:
        target = next((t for p, t in _NUMBERED if p.fullmatch(key)), IGNORE)
    return target


def known_columns(cells: list[str]) -> int:
    """How many of a record's cells are column labels this module knows: a header
    scores high, a row of data low."""
    return sum(1 for cell in cells if cell.strip() and raw_target(cell) != IGNORE)
