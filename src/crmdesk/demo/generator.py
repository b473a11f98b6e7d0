"""A demo client from start to finish: who it is, where, what it buys and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from crmdesk.domain.entities import Client, Preference, SeasonalNeed, Specification

from .dice import Dice
from .history import HistoryMaker
from .industries import Industry, industries
from .people import PeopleMaker, people, slug
from .places import draw_address, draw_phone, places
from .records import records


class Generator:
    """Builds clients one by one from a single random stream."""

    def __init__(self, seed: int, today: dt.date, salespeople: Sequence[str]) -> None:
        self.dice = Dice(seed, today)
        self.rng = self.dice.rng
        self.r = self.dice.r
        self.pick = self.dice.pick
        self.today = today
        self.today_ord = self.dice.today_ord
        self.salespeople = tuple(salespeople)
        self.new_tag = f"new {today.year}"
        self.people = PeopleMaker(self.dice)
        self.history = HistoryMaker(self.dice)
        self.industries = industries()
        self.places = places()
        self.surnames = people().surnames
        self.wording = records()

    def company_name(self, industry: Industry) -> str:
        pick = self.pick
        words = self.industries
        surname = pick(self.surnames)
        surname2 = pick(self.surnames)
        while surname2 == surname:
            surname2 = pick(self.surnames)
        return (
            pick(industry.name_patterns)
            .format(
                place=pick(words.places),
                adj=pick(words.adjectives),
                noun=pick(words.nouns),
                surname=surname,
                surname2=surname2,
                saint=pick(words.saints),
                w=pick(industry.name_words),
            )
            .replace("s's ", "s' ")
        )

    def client(self, index: int) -> Client:
        r = self.r
        pick = self.pick
        rng = self.rng
        dice = self.dice
        today_ord = self.today_ord
        wording = self.wording

        status = pick(wording.statuses)
        company = r() < 0.8
        code = pick(self.places.country_codes)
        country_name, currency, streets, cities = self.places.countries[code]
        city, region, postcodes, phones = cities[int(r() * len(cities))]

        firsts: list[str] = []
        if company:
            industry = pick(self.industries.all)
            industry_label = industry.label
            name = self.company_name(industry)
            name_slug = slug(name)
            domain: str | None = f"{name_slug}.example"
            n_contacts = rng.choices(range(1, 7), cum_weights=(5, 25, 55, 80, 92, 100))[0]
            contacts = self.people.contacts(
                n_contacts, code, domain, industry.titles, phones, firsts
            )
            emails = [f"info@{domain}"]
            if r() < 0.4:
                emails.append(f"{pick(('orders', 'accounts', 'office', 'hello'))}@{domain}")
            website = f"https://www.{name_slug}.example" if r() < 0.75 else ""
            numbers = [draw_phone(dice, phones, [])]
            if r() < 0.3:
                numbers.append(draw_phone(dice, phones, numbers))
        else:
            personas = self.industries.personas
            industry_label, base = personas[int(r() * len(personas))]
            industry = self.industries.by_label[base]
            n_contacts = 1 if r() < 0.8 else 2
            contacts = self.people.contacts(n_contacts, code, None, ("",), phones, firsts)
            if n_contacts == 2:
                contacts[1].title = "Partner"
            name = contacts[0].name
            emails = list(contacts[0].emails[:1])
            numbers = list(contacts[0].phones[:1]) or [draw_phone(dice, phones, [])]
            website = ""
        names = [c.name for c in contacts]

        addresses = [draw_address(dice, code, streets, city, region, postcodes, country_name)]
        if company and r() < 0.12:
            addresses.append(
                draw_address(dice, code, streets, city, region, postcodes, country_name)
            )

        # The client's history, as ordinals: [start, end].
        if status == "prospect":
            start = today_ord - 7 - int(r() * 400)
            end = today_ord - int(r() * 7)
        elif status == "active":
            if r() < 0.1:  # won this year
                start = max(today_ord - 340, dt.date(self.today.year, 1, 1).toordinal())
                start = min(start, today_ord - 14)
            else:
                start = today_ord - 365 - int(r() * 365 * 5)
            end = max(start, today_ord - int(r() * 20))
        else:
            end = today_ord - 200 - int(r() * 700)
            start = end - 365 - int(r() * 365 * 3)

        # Buying rhythm: one or two of the industry's seasons, at most three peak months.
        seasons = industry.seasons
        first_season = seasons[int(r() * len(seasons))]
        chosen = [first_season]
        peaks = first_season[0]
        if r() < 0.5:
            second = seasons[int(r() * len(seasons))]
            union = tuple(sorted(set(peaks) | set(second[0])))
            if second is not first_season and len(union) <= 3:
                chosen.append(second)
                peaks = union

        n_products = len(industry.products)
        basket = rng.sample(range(n_products), min(n_products, 3 + int(r() * 5)))

        # Orders: none for most prospects; a few heavy buyers among active clients.
        heavy = False
        if status == "prospect":
            n_orders = 0 if r() < 0.85 else 1 + int(r() * 2)
        elif status == "active":
            heavy = r() < 0.08 and end - start > 500
            n_orders = 20 + int(r() * 41) if heavy else 1 + int(r() * 7)
        else:
            n_orders = 1 + int(r() * 8)
        if not company:
            n_orders = (n_orders + 1) // 2

        history = self.history
        pricing, agreed = history.pricing(industry, status, basket, currency, n_orders)
        purchases = history.purchases(industry, n_orders, start, end, peaks, basket, agreed)

        if status == "prospect":
            n_interactions = 1 + int(r() * 6)
        elif status == "active":
            n_interactions = 4 + int(r() * 21) + (6 if heavy else 0)
        else:
            n_interactions = 2 + int(r() * 14)
        interactions = history.interactions(
            industry, min(n_interactions, 30), start, end, status, names
        )

        # Heavy buyers state every season they buy for; others some of them, or none.
        needs_from = chosen if heavy else chosen[: int(r() * (len(chosen) + 1)) if n_orders else 0]
        seasonal_needs = [SeasonalNeed(s[0], pick(s[1])) for s in needs_from]
        if r() < 0.15 and len(seasonal_needs) < 3:
            # A need stated in a conversation but not (yet) visible in the orders.
            extra = seasons[int(r() * len(seasons))]
            if extra not in chosen:
                seasonal_needs.append(SeasonalNeed(extra[0], pick(extra[1])))

        n_prefs = int(r() * 6)
        preferences: list[Preference] = []
        topics: list[str] = []
        prefs = industry.prefs
        for _ in range(n_prefs):
            topic, detail = prefs[int(r() * len(prefs))]
            if topic not in topics:
                topics.append(topic)
                preferences.append(Preference(topic, detail))

        specs = industry.specs
        n_specs = min(int(r() * 5), len(specs))
        specifications = [
            Specification(item, detail) for item, detail in rng.sample(specs, n_specs)
        ]

        tags: list[str] = []
        tag_pool = wording.tags[status]
        for _ in range(int(r() * 4)):
            tag = pick(tag_pool)
            if tag not in tags:
                tags.append(tag)
        if heavy and "key account" not in tags:
            tags.append("key account")
        if start >= dt.date(self.today.year, 1, 1).toordinal() and status != "former":
            tags.append(self.new_tag)

        if self.salespeople:
            n = len(self.salespeople)
            salesperson = self.salespeople[index % n if r() < 0.85 else int(r() * n)]
        else:
            salesperson = ""

        return Client(
            name=name,
            kind="company" if company else "individual",
            status=status,
            industry=industry_label,
            salesperson=salesperson,
            website=website,
            emails=emails,
            phones=numbers,
            addresses=addresses,
            tags=tags,
            source=pick(wording.sources),
            notes=pick(wording.client_notes) if r() < 0.25 else "",
            contacts=contacts,
            purchases=purchases,
            pricing=pricing,
            preferences=preferences,
            seasonal_needs=seasonal_needs,
            specifications=specifications,
            interactions=interactions,
            tasks=history.tasks(industry, status, names, firsts, basket),
        )


def generate_clients(
    count: int,
    *,
    seed: int = 1,
    today: dt.date,
    salespeople: Sequence[str] = ("jane", "omar", "li"),
) -> Iterator[Client]:
    """Yield ``count`` realistic demo clients, the same ones for the same seed and ``today``.

    Clients are unsaved (no ids, version 0, no timestamps) and already in the normalised
    form :func:`~crmdesk.domain.json_codec.validate_client` returns. ``salespeople`` are
    assigned in turn (with some shuffling); an empty sequence leaves the field empty.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    generator = Generator(seed, today, salespeople)
    for index in range(count):
        yield generator.client(index)
