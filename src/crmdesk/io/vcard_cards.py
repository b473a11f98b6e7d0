"""A card's properties as client JSON: what phones, mail programs and CRMs put in them.

- A card with an organisation (ORG) and a person is a contact of that company; a card
  of the company itself (vCard 4 ``KIND:org`` or ``group``, Apple's
  ``X-ABShowAs:COMPANY``, a name equal to the ORG, or no person at all) is the company.
  Cards of one company become one client (:attr:`CardJson.group`): cards linked to a
  company's card (crmdesk's ``X-CRMDESK-CLIENT``, vCard 4 ``MEMBER`` and ``RELATED``)
  join it, and a person's card otherwise joins the first card of the same ORG.
- A card without an organisation is an individual. Its name falls back from FN to N,
  then to its first email address and phone number (:mod:`crmdesk.domain.naming`).
- What crmdesk has no field for is kept in the notes, labelled (``Nickname: Bob``,
  ``Anniversary: 2001-06-09``, other languages of the name, relations, IM...); Apple's
  ``item1.X-ABLabel`` labels the property of its group. Photos and other binary data are
  counted and reported, and so are properties crmdesk does not understand.
- crmdesk's own cards carry its fields in X-CRMDESK- properties (io/vcard_export.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crmdesk.domain.duplicates import name_key
from crmdesk.domain.naming import add_lines, fallback_name, kept_line, labelled_line
from crmdesk.domain.text import fold

from .import_rows import clean_tag
from .vcard_lines import Card, Property
from .vcard_values import (
    components,
    date_value,
    email_value,
    listed,
    one_line,
    phone_value,
    split_escaped,
    structured,
    text_value,
    unescape,
    uri_value,
)

# Properties that say how a card is written or linked, not something to keep.
_SILENT = frozenset(
    {
        "VERSION", "PRODID", "REV", "UID", "KIND", "MEMBER", "X-ABUID", "X-ABSHOWAS",
        "CLIENTPIDMAP", "SOURCE", "NAME", "PROFILE", "MAILER", "CLASS", "X-ABLABEL",
        "X-ABADR", "LABEL", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "X-MOZILLA-HTML",
        "X-EVOLUTION-FILE-AS", "SORT-STRING", "X-MS-CARDPICTURE", "X-EVOLUTION-LIST",
        "X-EVOLUTION-LIST-SHOW_ADDRESSES", "X-ABPERSON", "X-PHONETIC-ORG",
        "X-CRMDESK-KIND", "X-CRMDESK-STATUS", "X-CRMDESK-INDUSTRY",
        "X-CRMDESK-SALESPERSON", "X-CRMDESK-SOURCE", "X-CRMDESK-CLIENT", "X-CRMDESK-SELF",
        "X-CRMDESK-CONTACT-NOTE", "X-CRMDESK-CONTACT-EMAILS", "X-CRMDESK-CONTACT-PHONES",
    }
)  # fmt: skip
# Things crmdesk has no field for, kept in the notes under these labels.
_LABELLED = {
    "NICKNAME": "Nickname",
    "ANNIVERSARY": "Anniversary",
    "X-ANNIVERSARY": "Anniversary",
    "X-MS-ANNIVERSARY": "Anniversary",
    "X-EVOLUTION-ANNIVERSARY": "Anniversary",
    "X-KADDRESSBOOK-X-ANNIVERSARY": "Anniversary",
    "X-SPOUSE": "Spouse",
    "X-MS-SPOUSE": "Spouse",
    "X-EVOLUTION-SPOUSE": "Spouse",
    "X-KADDRESSBOOK-X-SPOUSESNAME": "Spouse",
    "X-ASSISTANT": "Assistant",
    "X-MS-ASSISTANT": "Assistant",
    "X-EVOLUTION-ASSISTANT": "Assistant",
    "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant",
    "X-MANAGER": "Manager",
    "X-MS-MANAGER": "Manager",
    "X-EVOLUTION-MANAGER": "Manager",
    "X-KADDRESSBOOK-X-MANAGERSNAME": "Manager",
    "X-DEPARTMENT": "Department",
    "X-KADDRESSBOOK-X-DEPARTMENT": "Department",
    "X-KADDRESSBOOK-X-PROFESSION": "Profession",
    "X-KADDRESSBOOK-X-OFFICE": "Office",
    "X-MAIDENNAME": "Maiden name",
    "X-GENDER": "Gender",
    "GENDER": "Gender",
    "ROLE": "Role",
    "TZ": "Time zone",
    "GEO": "Location",
    "LANG": "Language",
    "EXPERTISE": "Expertise",
    "HOBBY": "Hobby",
    "INTEREST": "Interest",
    "ORG-DIRECTORY": "Directory",
    "CALURI": "Calendar",
    "FBURL": "Free/busy",
    "X-ABRELATEDNAMES": "Related",
    "X-ABDATE": "Date",
    "X-PHONETIC-FIRST-NAME": "Phonetic first name",
    "X-PHONETIC-MIDDLE-NAME": "Phonetic middle name",
    "X-PHONETIC-LAST-NAME": "Phonetic last name",
    "X-SOCIALPROFILE": "Social profile",
    "X-TWITTER": "Twitter",
    "X-EVOLUTION-BLOG-URL": "Blog",
    "X-KADDRESSBOOK-BLOGFEED": "Blog",
    "IMPP": "IM",
    "X-AIM": "AIM",
    "X-ICQ": "ICQ",
    "X-JABBER": "Jabber",
    "X-MSN": "MSN",
    "X-YAHOO": "Yahoo",
    "X-SKYPE": "Skype",
    "X-SKYPE-USERNAME": "Skype",
    "X-GOOGLE-TALK": "Google Talk",
    "X-GTALK": "Google Talk",
    "X-MS-IMADDRESS": "IM",
    "X-KADDRESSBOOK-X-IMADDRESS": "IM",
    "X-QQ": "QQ",
    "X-WECHAT": "WeChat",
}
_DATES = frozenset(
    {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY",
     "X-KADDRESSBOOK-X-ANNIVERSARY", "X-ABDATE"}
)  # fmt: skip
_USED = frozenset(
    {"FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "ADR", "URL", "CATEGORIES", "NOTE", "BDAY",
     "RELATED", "X-ANDROID-CUSTOM"}
)  # fmt: skip
# Apple's labels for its own kinds: _$!<Anniversary>!$_
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
_COMPANY_KINDS = frozenset({"org", "organization", "group"})
_OURS = {
    "X-CRMDESK-STATUS": "status",
    "X-CRMDESK-INDUSTRY": "industry",
    "X-CRMDESK-SALESPERSON": "salesperson",
    "X-CRMDESK-SOURCE": "source",
}


def card_uid(text: str) -> str:
    """A UID or a reference to one as cards are matched: ``urn:uuid:AB`` -> ``ab``."""
    value = unescape(text).strip()
    if value[:9].lower() == "urn:uuid:":
        value = value[9:]
    return value.lower()


@dataclass(slots=True)
class CardIndex:
    """What the cards of a file say about each other (a first pass over the file)."""

    names: dict[str, str] = field(default_factory=dict)  # uid -> its FN or ORG
    kinds: dict[str, str] = field(default_factory=dict)  # uid -> company or individual
    companies: set[str] = field(default_factory=set)  # uids of company and group cards
    member_of: dict[str, str] = field(default_factory=dict)  # member uid -> group uid
    targets: set[str] = field(default_factory=set)  # uids other cards join
    # uid -> the ORG key of another program's company card: its members and the persons
    # of that ORG are one client whichever card comes first (ownCloud writes the persons
    # before the KIND:org card). crmdesk's own cards are matched by uid only, so that two
    # clients of one name stay two.
    org_keys: dict[str, str] = field(default_factory=dict)

    def group_of(self, uid: str) -> str:
        key = self.org_keys.get(uid)
        return f"org:{key}" if key else f"uid:{uid}"

    def add(self, card: Card) -> None:
        uid = kind = org = fn = shown_as = ours = link = ""
        members: list[str] = []
        related: list[str] = []
        for p in card.properties:
            if p.name == "UID":
                uid = card_uid(p.value)
            elif p.name == "KIND":
                kind = fold(text_value(p.value))
            elif p.name == "ORG" and not org:
                org = components(p.value)[0]
            elif p.name == "FN" and not fn:
                fn = text_value(p.value)
            elif p.name == "X-ABSHOWAS":
                shown_as = fold(text_value(p.value))
            elif p.name == "X-CRMDESK-KIND":
                ours = fold(text_value(p.value))
            elif p.name == "MEMBER":
                members.append(card_uid(p.value))
            elif p.name == "RELATED":
                related.append(card_uid(p.value))
            elif p.name == "X-CRMDESK-CLIENT":
                link = card_uid(p.value)
        if link:
            self.targets.add(link)
        if not uid:
            return
        company = kind in _COMPANY_KINDS or shown_as == "company" or (bool(org) and not fn)
        if ours:
            company = ours == "company"
        self.names[uid] = (org if company and org else fn) or org
        self.kinds[uid] = "company" if company or (org and ours != "individual") else "individual"
        if company:
            self.companies.add(uid)
            name = org or fn
            if name and not ours:
                self.org_keys[uid] = name_key(name)
        for member in members:
            self.member_of.setdefault(member, uid)
            self.targets.add(uid)
        self.targets.update(related)  # a company's only if it is one: checked on use

    def target_of(self, uid: str, link: str, related: list[str]) -> str:
        """The uid of the card this one joins, or ""."""
        if link:
            return link
        if uid and uid in self.member_of:
            return self.member_of[uid]
        return next((r for r in related if r in self.companies), "")


@dataclass(slots=True)
class CardJson:
    """A card as client JSON, where each value came from, and how it joins others."""

    data: dict[str, Any] | None
    origins: dict[str, str] = field(default_factory=dict)
    group: str | None = None  # cards with the same group are one client
    company: bool = False  # the card of the company (or group) itself
    ignored: list[str] = field(default_factory=list)  # properties not imported
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, why, text


class _Builder:
    """Collects the card's values, by the property each came from."""

    def __init__(self, card: Card, index: CardIndex) -> None:
        self.card, self.index = card, index
        self.labels = {
            p.group.lower(): _label(p.value)
            for p in card.properties
            if p.name == "X-ABLABEL" and p.group
        }
        self.extras: list[str] = []  # lines for the person's (or company's) notes
        self.ignored: list[str] = []
        self.problems: list[tuple[int, str, str]] = []

    def label(self, p: Property, default: str) -> str:
        apple = self.labels.get(p.group.lower()) if p.group else None
        if apple:
            return apple
        kinds = [t for t in p.types if t not in ("pref", "internet", "voice", "x400")]
        return (
            f"{default} ({', '.join(kinds)})" if kinds and default in ("IM", "Related") else default
        )

    def extra(self, label: str, value: str) -> None:
        if value:
            self.extras.append(labelled_line(label, value))


def _label(raw: str) -> str:
    text = text_value(raw)
    m = _APPLE_LABEL.fullmatch(text)
    return (m.group(1) if m else text).strip()


def _pref_first(props: list[Property]) -> list[Property]:
    """Preferred values first (TYPE=pref in vCard 3, PREF=1 in vCard 4), else in order."""

    def rank(p: Property) -> int:
        pref = p.param("PREF")
        if pref.isdigit():
            return int(pref)
        return 0 if "pref" in p.types else 101

    return sorted(props, key=rank)


def _by_name(card: Card) -> dict[str, list[Property]]:
    found: dict[str, list[Property]] = {}
    for p in card.properties:
        found.setdefault(p.name, []).append(p)
    return found


def _names(props: list[Property], n_props: list[Property]) -> tuple[str, str, list[str]]:
    """The person's name, the property it came from, and the name in other languages
    (ALTID or LANGUAGE variants: the first is kept, the others as alternatives)."""
    written = [(p, text_value(p.value)) for p in props]
    written = [(p, t) for p, t in written if t]
    others: list[str] = []
    if written:
        first, name = written[0]
        for p, text in written[1:]:
            if fold(text) != fold(name):
                lang = p.param("LANGUAGE")
                others.append(f"{text} ({lang})" if lang else text)
        return name, first.where, others
    for p in n_props:
        family, given, additional, prefix, suffix = structured(p.value, 5)
        built = " ".join(x for x in (prefix, given, additional, family, suffix) if x)
        if built:
            if not others and len(n_props) > 1:
                for q in n_props[1:]:
                    f2, g2, a2, p2, s2 = structured(q.value, 5)
                    alt = " ".join(x for x in (p2, g2, a2, f2, s2) if x)
                    if alt and fold(alt) != fold(built):
                        lang = q.param("LANGUAGE")
                        others.append(f"{alt} ({lang})" if lang else alt)
            return built, p.where, others
    return "", "", others


def card_json(card: Card, index: CardIndex) -> CardJson:
    """One card as client JSON (see the module's description)."""
    b = _Builder(card, index)
    props = _by_name(card)
    b.problems.extend(card.unreadable)
    person, person_from, other_names = _names(props.get("FN", []), props.get("N", []))
    org_props = [(components(p.value), p) for p in props.get("ORG", [])]
    org, org_from = next(((u[0], p.where) for u, p in org_props if u and u[0]), ("", ""))
    for units, _ in org_props[:1]:
        for unit in units[1:]:
            b.extra("Department", unit)
    kind = fold(text_value(props["KIND"][0].value)) if "KIND" in props else ""
    shown_as = fold(text_value(props["X-ABSHOWAS"][0].value)) if "X-ABSHOWAS" in props else ""
    ours = {p.name: text_value(p.value) for p in card.properties if p.name.startswith("X-CRMDESK-")}
    our_kind = fold(ours.get("X-CRMDESK-KIND", ""))
    if kind in _COMPANY_KINDS and not org:
        org, org_from = person, person_from  # an org or group card is named by its FN
    uid = card_uid(props["UID"][0].value) if "UID" in props else ""
    link = card_uid(ours["X-CRMDESK-CLIENT"]) if ours.get("X-CRMDESK-CLIENT") else ""
    related = [card_uid(p.value) for p in props.get("RELATED", [])]
    target = index.target_of(uid, link, related)
    if target == uid:
        target = ""
    if our_kind:
        company = our_kind == "company"
    elif link:
        company = False  # crmdesk's card of a client's person, even one named as the client
    else:
        company = bool(org) and (
            kind in _COMPANY_KINDS or shown_as == "company" or not person
            or fold(person) == fold(org)
        )  # fmt: skip
    member = bool(target) and not company and our_kind != "individual"
    individual = not member and not company and (not org or our_kind == "individual")

    emails = [(email_value(p.value), p) for p in _pref_first(props.get("EMAIL", []))]
    phones = [(phone_value(p.value), p) for p in _pref_first(props.get("TEL", []))]
    emails = [(v, p) for v, p in emails if v]
    phones = [(v, p) for v, p in phones if v]

    data: dict[str, Any] = {}
    origins: dict[str, str] = {}
    contact: dict[str, Any] | None = None
    if company:
        data["name"], data["kind"], origins["name"] = org, "company", org_from
    elif individual:
        name = fallback_name(person, "", [v for v, _ in emails], [v for v, _ in phones])
        data["name"], data["kind"] = name, "individual"
        origins["name"] = person_from or next((p.where for _, p in emails + phones), "")
    else:  # a person of a company (or of the client whose card this one is linked to)
        client_name = index.names.get(target, "") if member else ""
        data["name"] = client_name or org or person
        data["kind"] = index.kinds.get(target, "company") if member else "company"
        origins["name"] = org_from or person_from
        contact_name = fallback_name(person, "", [v for v, _ in emails], [v for v, _ in phones])
        contact = {"name": contact_name}
        origins["contacts[0].name"] = person_from or origins["name"]
    owner: dict[str, Any] = data if contact is None else contact
    prefix = "" if contact is None else "contacts[0]."
    for key, field_name in _OURS.items():  # crmdesk's fields vCard has no property for
        if ours.get(key):
            data[field_name], origins[field_name] = ours[key], key

    _reachability(origins, owner, prefix, emails, phones)
    if individual and "X-CRMDESK-SELF" in ours:
        contact = _self_contact(data, origins, props)

    addresses = _addresses(props, origins)  # a contact has none: they are the client's
    if addresses:
        data["addresses"] = addresses

    urls = [(uri_value(p.value), p) for p in _pref_first(props.get("URL", []))]
    urls = [(v, p) for v, p in urls if v]
    if urls and owner is data:
        data["website"], origins["website"] = urls[0][0], urls[0][1].where
        urls = urls[1:]
    for value, p in urls:
        b.extra(b.label(p, "Website"), value)

    tags: list[str] = []
    for p in props.get("CATEGORIES", []):
        for value in listed(p.value):
            tag = clean_tag(value)
            if tag:
                origins[f"tags[{len(tags)}]"] = p.where
                tags.append(tag)
    if tags:
        data["tags"] = tags

    titles = [(text_value(p.value), p) for p in props.get("TITLE", [])]
    titles = [(t, p) for t, p in titles if t]
    birthday = next((p for p in props.get("BDAY", []) if text_value(p.value)), None)
    if contact is None and individual and (titles or birthday is not None):
        contact = {"name": data["name"]}  # the person's own title and birthday
        origins["contacts[0].name"] = origins.get("name", "")
    if contact is not None:
        if titles:
            contact["title"], origins["contacts[0].title"] = titles[0][0], titles[0][1].where
            titles = titles[1:]
        if birthday is not None:
            contact["birthday"] = date_value(birthday.value)
            origins["contacts[0].birthday"] = birthday.where
            birthday = None
    for title, _ in titles:
        b.extra("Title", title)
    if birthday is not None:
        b.extra("Birthday", date_value(birthday.value))

    notes = [n for n in (text_value(p.value) for p in props.get("NOTE", [])) if n]
    for name in other_names:
        b.extra("Also written", name)
    _extras(b, props)
    kept = [kept_line(f"Line {line}", text, why) for line, why, text in b.problems if text]
    text = add_lines("\n".join(notes), b.extras + kept)
    if text:
        owner["notes"] = add_lines(owner.get("notes", ""), [text])
        origins[f"{prefix}notes"] = props["NOTE"][0].where if notes else "NOTE"
    if contact is not None:
        data["contacts"] = [contact]
    if target:
        group: str | None = index.group_of(target)
    elif uid and uid in index.targets and (company or bool(our_kind)):
        group = index.group_of(uid)
    elif org and data["kind"] == "company" and not our_kind:
        group = f"org:{name_key(org)}"
    else:
        group = None
    for name, count in card.skipped.items():
        b.ignored.extend([name] * count)
    return CardJson(data, origins, group, company, b.ignored, b.problems)


def _addresses(props: dict[str, list[Property]], origins: dict[str, str]) -> list[dict[str, str]]:
    addresses: list[dict[str, str]] = []
    for p in props.get("ADR", []):
        box, extended, street, city, region, code, country = structured(p.value, 7)
        address = {
            "street": one_line(", ".join(x for x in (street, extended, box) if x)),
            "city": one_line(city),
            "region": one_line(region),
            "postal_code": one_line(code),
            "country": one_line(country),
        }
        if any(address.values()):
            origins[f"addresses[{len(addresses)}]"] = p.where
            addresses.append(address)
    if not addresses:  # a formatted label alone (vCard 2.1 and 3.0)
        for p in props.get("LABEL", []):
            label = one_line(text_value(p.value))
            if label:
                origins[f"addresses[{len(addresses)}]"] = p.where
                addresses.append(
                    {"street": label, "city": "", "region": "", "postal_code": "", "country": ""}
                )
    return addresses


def _reachability(
    origins: dict[str, str],
    owner: dict[str, Any],
    prefix: str,
    emails: list[tuple[str, Property]],
    phones: list[tuple[str, Property]],
) -> None:
    """Emails and phones of the card's owner (the client, or the contact); on crmdesk's
    card of an individual, those marked X-CRMDESK-OF=CONTACT only are the person's own."""
    for key, found in (("emails", emails), ("phones", phones)):
        values: list[str] = []
        for value, p in found:
            of = [v.lower() for v in p.params.get("X-CRMDESK-OF", [])]
            if of and "client" not in of:
                continue  # see _self_contact
            origins[f"{prefix}{key}[{len(values)}]"] = p.where
            values.append(value)
        if values:
            owner[key] = values


def _self_contact(
    data: dict[str, Any], origins: dict[str, str], props: dict[str, list[Property]]
) -> dict[str, Any]:
    """crmdesk's card of an individual with a contact record of the person themself
    (X-CRMDESK-SELF): its emails and phones as X-CRMDESK-CONTACT-EMAILS and -PHONES list
    them, its notes in X-CRMDESK-CONTACT-NOTE."""
    contact: dict[str, Any] = {"name": data["name"]}
    origins["contacts[0].name"] = origins.get("name", "")
    for key, prop, read in (
        ("emails", "X-CRMDESK-CONTACT-EMAILS", email_value),
        ("phones", "X-CRMDESK-CONTACT-PHONES", phone_value),
    ):
        for p in props.get(prop, [])[:1]:
            values = [read(v) for v in split_escaped(p.value, ",") if v.strip()]
            if values:
                contact[key] = values
                origins.update({f"contacts[0].{key}[{i}]": p.where for i in range(len(values))})
    for p in props.get("X-CRMDESK-CONTACT-NOTE", [])[:1]:
        contact["notes"] = text_value(p.value)
        origins["contacts[0].notes"] = p.where
    return contact


def _extras(b: _Builder, props: dict[str, list[Property]]) -> None:
    """What crmdesk has no field for: labelled lines for the notes, or not imported."""
    for name, found in props.items():
        if name in _USED or name in _SILENT:
            continue
        label = _LABELLED.get(name)
        for p in found:
            if label is None:
                b.ignored.append(name)
                continue
            value = text_value(p.value)
            if name in _DATES:
                value = date_value(p.value)
            elif name == "GEO" or name == "IMPP" or name.startswith("X-SOCIAL"):
                value = uri_value(p.value)
            service = p.param("X-SERVICE-TYPE")
            what = b.label(p, label)
            if service and what == label:
                what = f"{label} ({service})"
            b.extra(what, value)
    for p in props.get("RELATED", []):
        target = card_uid(p.value)
        if target in b.index.companies:
            continue  # the company this person belongs to: a join, not a note
        name = b.index.names.get(target) or uri_value(p.value)
        kinds = [t for t in p.types if t not in ("pref",)]
        b.extra(kinds[0].capitalize() if kinds else "Related", name)
    for p in props.get("X-ANDROID-CUSTOM", []):
        parts = [unescape(x) for x in re.split(r"(?<!\\);", p.value)]
        kind = parts[0].rsplit("/", 1)[-1] if parts else ""
        value = next((x for x in parts[1:] if x.strip()), "")
        labels = {"nickname": "Nickname", "relation": "Related", "contact_event": "Date"}
        if kind in labels:
            b.extra(labels[kind], value)
        else:
            b.ignored.append("X-ANDROID-CUSTOM")
