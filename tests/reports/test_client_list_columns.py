"""The client list PDF wraps long values inside their column (issue 17, part 8): an
email address with no space to wrap at no longer runs over Last contact."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from crmdesk.reports.client_list import WIDTHS, _cell
from crmdesk.reports.fonts import SANS, register_fonts

LONG = "purchasing.department.very-long-name@averyveryverylongcompanyname-example.co.uk"


@pytest.mark.parametrize(
    ("text", "column"),
    [(LONG, 4), ("x" * 200, 4), ("Zoë's Bakery and Patisserie of the Harbour " * 4, 0)],
)
def test_every_line_fits_its_column(text, column):
    register_fonts()
    lines = _cell(text, column).split("\n")
    assert len(lines) > 1
    assert all(stringWidth(line, SANS, 8.5) <= WIDTHS[column] - 10 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_an_email_breaks_after_its_at_or_a_dot():
    register_fonts()
    lines = _cell(LONG, 4).split("\n")
    assert lines[0].endswith((".", "@", "-", "_"))
