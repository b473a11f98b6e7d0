"""The demo generator's tables: data files under resources/demo/, read on first use."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from crmdesk.demo import generate_clients
from crmdesk.demo.tables import table, weighted
from crmdesk.resources import resource

TABLES = {"people", "places", "industries", "records"}


def test_importing_the_generator_reads_no_table():
    # A fresh interpreter: in this one, other tests have read the tables already.
    code = (
        "import crmdesk.demo, crmdesk.services.demo\n"
        "from crmdesk.demo.tables import table\n"
        "print(table.cache_info().currsize)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "0"


def test_each_table_is_read_once_and_every_file_is_a_table():
    next(generate_clients(1, today=dt.date(2026, 3, 15)))
    assert {p.stem for p in resource("demo").glob("*.json")} == TABLES
    for name in TABLES:
        assert table(name) is table(name)


def test_weighted_tables_repeat_each_value_by_its_weight():
    assert weighted([["active", 2], ["former", 1]]) == ("active", "active", "former")
    assert len(weighted(table("records")["statuses"])) == 100
