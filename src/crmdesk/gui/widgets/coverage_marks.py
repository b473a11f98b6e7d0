"""Coverage at a glance: a compact row of marks, one per kind of value-added information.

A filled mark: something is on file; an outlined one: nothing yet; a single grey note
when the coverage is withheld (the person may not see this client's value-added
information: never shown as missing). Each mark's tooltip says which kind it is and
what that means. Also the text forms the client list and the day's views use.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from crmdesk.domain.classification import COVERAGE_CATEGORIES
from crmdesk.domain.coverage import HELD, MISSING, WITHHELD_REASON, Coverage
from crmdesk.gui.widgets.flow_layout import FlowLayout

FILLED, EMPTY = "●", "○"

_HELD_STYLE = (
    "QLabel { background: #2456a6; color: white; border: 1px solid #1d4687;"
    " border-radius: 8px; padding: 1px 7px; font-size: 8.5pt; }"
)
_MISSING_STYLE = (
    "QLabel { color: #8a5a00; border: 1px dashed #c99a3c; border-radius: 8px;"
    " padding: 1px 7px; font-size: 8.5pt; }"
)
_WITHHELD_STYLE = "QLabel { color: palette(placeholder-text); font-size: 8.5pt; }"


def dots(coverage: Coverage) -> str:
    """``●●○●●○●``: the list's Coverage column; a dash when withheld."""
    if coverage.withheld:
        return "—"
    return "".join(FILLED if c.key in coverage.held else EMPTY for c in COVERAGE_CATEGORIES)


def tooltip(coverage: Coverage) -> str:
    """Every kind, one per line, with what is on file."""
    if coverage.withheld:
        return (
            f"What is on file is withheld: {WITHHELD_REASON}. Only the assigned "
            "salesperson, a manager or the owner sees it."
        )
    lines = [coverage.summary(), ""]
    for c in COVERAGE_CATEGORIES:
        state = "on file" if c.key in coverage.held else "nothing on file yet"
        lines.append(f"{FILLED if c.key in coverage.held else EMPTY}  {c.label}: {state}")
    return "\n".join(lines)


def mark_tooltip(label: str, state: str) -> str:
    if state == HELD:
        return f"{label}: on file"
    if state == MISSING:
        return f"{label}: nothing on file yet. Worth asking about at the next call."
    return f"{label}: withheld ({WITHHELD_REASON})"


class CoverageMarks(QWidget):
    """One mark per kind of value-added information, for a client's header. The marks
    wrap onto a second line when the editor is narrow (beside the list on a laptop)
    rather than widening it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageMarks")
        layout = FlowLayout(h_spacing=4, v_spacing=3)
        self.setLayout(layout)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.title = QLabel("On file:", self)
        self.title.setStyleSheet(_WITHHELD_STYLE)
        layout.addWidget(self.title)
        self.marks: dict[str, QLabel] = {}
        for c in COVERAGE_CATEGORIES:
            mark = QLabel(c.mark, self)
            mark.setObjectName(f"coverage_{c.key}")
            self.marks[c.key] = mark
            layout.addWidget(mark)
        self.withheld_label = QLabel(f"Withheld: {WITHHELD_REASON}", self)
        self.withheld_label.setStyleSheet(_WITHHELD_STYLE)
        layout.addWidget(self.withheld_label)
        self._coverage: Coverage | None = None
        self.set_coverage(None)

    def coverage(self) -> Coverage | None:
        return self._coverage

    def state(self, key: str) -> str:
        """HELD, MISSING or WITHHELD for a category, as shown (for tests and access)."""
        return str(self.marks[key].property("state"))

    def set_coverage(self, coverage: Coverage | None) -> None:
        """Show a client's coverage; None hides the row (a new, unsaved client)."""
        self._coverage = coverage
        self.setVisible(coverage is not None)
        if coverage is None:
            return
        for c in COVERAGE_CATEGORIES:
            mark = self.marks[c.key]
            state = coverage.state(c)
            mark.setProperty("state", state)
            mark.setVisible(state != "withheld")
            mark.setStyleSheet(_HELD_STYLE if state == HELD else _MISSING_STYLE)
            mark.setToolTip(mark_tooltip(c.label, state))
            mark.setAccessibleName(mark_tooltip(c.label, state))
        self.withheld_label.setVisible(coverage.withheld)
        self.setToolTip(tooltip(coverage))
        self.setAccessibleName(coverage.summary())
