"""Deterministic, realistic demo clients for a first look at crmdesk and for benchmarks.

:func:`generate_clients` yields fully built :class:`~crmdesk.domain.entities.Client`
records: companies and private individuals across many industries, with contacts, personal
profiles, a seasonal purchase history priced from each industry's catalogue, pricing
agreements, preferences, specifications, interactions and tasks, all dated relative to
``today``. The same ``seed`` and ``today`` give the same clients, and the first ``k``
clients do not depend on ``count``.

Every generated value already has the form :func:`~crmdesk.domain.json_codec.validate_client`
produces (E.164 phones, lowercase email domains, money to the cent, sorted months...), so a
client passes validation unchanged. Phone numbers come only from ranges reserved for
fiction (NANP 555-01xx, Ofcom drama numbers, ACMA and ARCEP fictional ranges) and email
addresses only from reserved ``example`` domains.

The tables (names, places, industries, wording) are JSON files under ``resources/demo/``
(:mod:`.tables`), read on first use; the code here only draws from them. Generation is
tuned for speed (pools built once, one ``random.Random``, no validation per client): about
100,000 clients in a few seconds.

The parts, each drawing from the run's one random stream (:mod:`.dice`): :mod:`.people`,
:mod:`.places`, :mod:`.industries`, :mod:`.history` and :mod:`.generator`, which puts a
client together. Decoys in exports do not come from here (:mod:`crmdesk.domain.decoys`).
"""

from .generator import generate_clients

__all__ = ["generate_clients"]
