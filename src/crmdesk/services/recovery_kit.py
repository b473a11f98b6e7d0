"""The recovery key as the app shows it on screen, the same way the printed recovery kit
(:mod:`crmdesk.reports.recovery_kit`) lays it out. The kit itself is a report:
:meth:`crmdesk.services.reports.ReportService.recovery_kit`."""

from __future__ import annotations

from crmdesk.reports.recovery_kit import key_lines as _kit_key_lines


def key_lines(recovery_key: str) -> list[str]:
    """The key's groups of four, seven to a line (two lines for a crmdesk key)."""
    return _kit_key_lines(recovery_key)
