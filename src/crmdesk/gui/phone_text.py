"""Phone numbers on the client screens: national for the vault's region, international for
other countries (``0351 223344``, ``+1 202-555-0173``), as ``crmdesk client show`` prints
them. The formatting itself is :func:`crmdesk.domain.phones.display_phone`; numbers stay
stored in E.164.

An editor shows numbers this way and reads them back: a number left as shown goes back as
it was stored, one typed or changed is read by the service in the vault's region.
"""

from __future__ import annotations

from collections.abc import Iterable

from crmdesk.domain.phones import display_phone


def shown_phone(stored: str | None, region: str) -> str:
    """One stored number as the screens show it ("" stays "")."""
    if not stored or not region:
        return stored or ""
    return display_phone(stored, region)


class PhoneText:
    """Numbers of one editor shown in ``region`` and read back as stored when unchanged."""

    def __init__(self, region: str = "") -> None:
        self._region = region
        self._stored: dict[str, str] = {}  # text shown -> the number it stands for

    @property
    def region(self) -> str:
        return self._region

    @region.setter
    def region(self, region: str) -> None:
        if region != self._region:  # "0351 223344" meant a German number only in DE
            self._stored.clear()
        self._region = region

    def show(self, numbers: Iterable[str]) -> str:
        """``["+49351223344"]`` -> ``"0351 223344"`` (for a vault in DE)."""
        shown = []
        for number in numbers:
            text = shown_phone(number, self.region)
            self._stored[text] = number
            shown.append(text)
        return ", ".join(shown)

    def read(self, parts: Iterable[str]) -> list[str]:
        """The numbers of an edited line (split): those shown unchanged as stored, others
        as typed."""
        return [self._stored.get(part, part) for part in parts]


__all__ = ["PhoneText", "shown_phone"]
