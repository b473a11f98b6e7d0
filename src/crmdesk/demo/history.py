"""A demo client's history with the business: orders priced from its industry's
catalogue and peaking in its seasons, pricing agreements, interactions and tasks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from crmdesk.domain.entities import Interaction, LineItem, PricingAgreement, Purchase, Task
from crmdesk.domain.validation import CENT

from .dice import Dice, cumulative
from .industries import PRICE_YEARS, Industry
from .records import records

_ZERO_PERCENT = Decimal("0")
# How many line items an order has (1 to 6), out of 100.
_ITEMS_WEIGHTS = (17, 30, 25, 16, 8, 4)


class HistoryMaker:
    """Draws a client's history with the run's dice."""

    def __init__(self, dice: Dice) -> None:
        self.dice = dice
        self.rng = dice.rng
        self.r = dice.r
        self.pick = dice.pick
        self.today = dice.today
        self.today_ord = dice.today_ord
        self.items_cum = cumulative(_ITEMS_WEIGHTS)
        self.wording = records()

    # -- purchases

    def order_dates(
        self, count: int, start: int, end: int, peaks: tuple[int, ...]
    ) -> list[dt.date]:
        """``count`` dates in [start, end] (ordinals), weighted towards the peak months."""
        r = self.r
        weights = [1] * 12
        for m in peaks:
            weights[m - 1] = 6
        months = self.rng.choices(range(1, 13), cum_weights=cumulative(weights), k=count)
        first_year = dt.date.fromordinal(start).year
        years = dt.date.fromordinal(end).year - first_year + 1
        dates = []
        for month in months:
            for _ in range(8):
                day = dt.date(first_year + int(r() * years), month, 1 + int(r() * 28))
                if start <= day.toordinal() <= end:
                    break
            else:
                day = dt.date.fromordinal(start + int(r() * (end - start + 1)))
            dates.append(day)
        dates.sort()
        return dates

    def purchases(
        self,
        industry: Industry,
        count: int,
        start: int,
        end: int,
        peaks: tuple[int, ...],
        basket: list[int],
        agreed: dict[int, Decimal],
    ) -> list[Purchase]:
        r = self.r
        pick = self.pick
        year = self.today.year
        names = industry.products
        prices = industry.prices
        quantities = industry.quantities
        big = industry.big_quantities
        discounts = self.wording.discounts
        n_discounts = len(discounts)
        notes = self.wording.purchase_notes
        size = len(basket)
        out = []
        sizes = self.rng.choices(range(1, 7), cum_weights=self.items_cum, k=count)
        for day, n_items in zip(self.order_dates(count, start, end, peaks), sizes, strict=True):
            age = min(year - day.year, PRICE_YEARS - 1)
            peak = day.month in peaks
            first = int(r() * size)
            items = []
            for j in range(n_items if n_items < size else size):
                p = basket[(first + j) % size]
                qty_pool = big[p] if peak else quantities[p]
                discount = agreed.get(p)
                if discount is None:
                    discount = _ZERO_PERCENT if r() < 0.75 else discounts[int(r() * n_discounts)]
                quantity = qty_pool[int(r() * len(qty_pool))]
                items.append(LineItem(names[p], quantity, prices[p][age], discount))
            out.append(Purchase(day, items, pick(notes) if r() < 0.1 else ""))
        return out

    def pricing(
        self, industry: Industry, status: str, basket: list[int], currency: str, n_orders: int
    ) -> tuple[list[PricingAgreement], dict[int, Decimal]]:
        r = self.r
        factors = self.wording.price_factors
        discounts = self.wording.discounts
        if status == "prospect" and n_orders == 0:
            count = 1 if r() < 0.1 else 0
        else:
            count = min(int(r() * 5), len(basket))
        out = []
        agreed: dict[int, Decimal] = {}
        for p in basket[:count]:
            shape = r()
            price = discount = None
            if shape < 0.5 or shape >= 0.8:
                factor = factors[int(r() * len(factors))]
                price = (industry.prices[p][0] * factor).quantize(CENT, ROUND_HALF_UP)
            if shape >= 0.5:
                discount = discounts[int(r() * len(discounts))]
                agreed[p] = discount
            valid_from = self.today_ord - int(r() * 700)
            ends = r()
            if ends < 0.2:
                valid_to = None
            elif ends < 0.6:
                valid_to = dt.date(dt.date.fromordinal(valid_from).year, 12, 31)
            else:
                valid_to = dt.date.fromordinal(valid_from + 364 + int(r() * 366))
            out.append(
                PricingAgreement(
                    industry.products[p],
                    price,
                    discount,
                    dt.date.fromordinal(valid_from),
                    valid_to,
                    self.pick(self.wording.terms).format(c=currency) if r() < 0.8 else "",
                )
            )
        return out, agreed

    # -- interactions and tasks

    def interactions(
        self,
        industry: Industry,
        count: int,
        start: int,
        end: int,
        status: str,
        names: list[str],
    ) -> list[Interaction]:
        r = self.r
        span = end - start + 1
        ordinals = sorted(start + int(r() * span) for _ in range(count))
        # (summaries, outcomes) per kind, with their lengths, looked up once per client.
        pools = industry.pools
        firsts = industry.first_contacts
        n_firsts = len(firsts)
        n_names = len(names)
        kinds = self.wording.interaction_kinds
        n_kinds = len(kinds)
        prospect_outcomes = self.wording.prospect_outcomes
        n_prospect_outcomes = len(prospect_outcomes)
        from_date = dt.date.fromordinal
        out = []
        opening = count if status == "prospect" else 2
        for i, ordinal in enumerate(ordinals):
            if i < opening:
                kind, summary = firsts[int(r() * n_firsts)]
                outcome = prospect_outcomes[int(r() * n_prospect_outcomes)]
            else:
                kind = kinds[int(r() * n_kinds)]
                summaries, n_summaries, outcomes, n_outcomes = pools[kind]
                summary = summaries[int(r() * n_summaries)]
                outcome = outcomes[int(r() * n_outcomes)]
            contact = names[int(r() * n_names)]
            out.append(Interaction(from_date(ordinal), kind, contact, summary, outcome))
        if status == "former" and out:
            lost = self.wording.lost
            kind, summary, outcome = lost[int(r() * len(lost))]
            out[-1] = Interaction(out[-1].date, kind, out[-1].contact, summary, outcome)
        return out

    def tasks(
        self,
        industry: Industry,
        status: str,
        names: list[str],
        firsts: list[str],
        basket: list[int],
    ) -> list[Task]:
        r = self.r
        count = int(r() * 5) if status != "former" else int(r() * 2)
        templates = self.wording.tasks[status]
        out: list[Task] = []
        used: list[str] = []
        for _ in range(count):
            template = self.pick(templates)
            if template in used:
                continue
            used.append(template)
            who = int(r() * len(names))
            first = firsts[who]
            product = industry.products[basket[int(r() * len(basket))]]
            kind = r()
            if kind < 0.3:  # done
                due, done = self.today_ord - 3 - int(r() * 200), True
            elif kind < 0.5:  # overdue
                due, done = self.today_ord - 1 - int(r() * 21), False
            elif kind < 0.58:
                due, done = self.today_ord, False
            else:  # coming weeks
                due, done = self.today_ord + 1 + int(r() * 42), False
            out.append(
                Task(
                    dt.date.fromordinal(due),
                    template.format(first=first, p=product),
                    done,
                    names[who],
                )
            )
        out.sort(key=lambda t: t.due)
        return out
