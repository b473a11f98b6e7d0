"""The papers reports are printed on and this computer's own (its locale's).

Light on purpose: the app's Paper size menu is built with the window, before any
report is printed, and must not load the reports to say which papers there are.
"""

from __future__ import annotations

from crmdesk.reports.paper import PAPER_NAMES, default_paper

# The papers every report can be printed on, as people name them (for the app's menu).
PAPERS = dict(PAPER_NAMES)

__all__ = ["PAPERS", "default_paper"]
