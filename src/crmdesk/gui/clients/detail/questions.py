"""What the client editor asks and says: questions with named answers, and where a
field error is ("Contacts › row 1 › Email").

Module-level functions, so that tests and other front ends can answer the questions
without a modal dialog (the editor calls them through its own module's names).
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from .field_marks import PathPart

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
RELOAD, KEEP = "reload", "keep"

# -------------------------------------------------------------------- questions to the user


def ask_save_discard_cancel(parent: QWidget | None, name: str) -> str:
    """ "Save changes to <name>?" -> SAVE, DISCARD or CANCEL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save changes to {name}?")
    box.setInformativeText("If you don't save, your changes will be lost.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return CANCEL


def confirm_delete(parent: QWidget | None, name: str) -> bool:
    """Ask before deleting a client and everything recorded about it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Delete client")
    box.setText(f"Delete {name}?")
    box.setInformativeText(
        "Its contacts, purchases, pricing, preferences, specifications, timeline and tasks "
        "are deleted too. This cannot be undone."
    )
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is delete


def ask_conflict(parent: QWidget | None, name: str) -> str:
    """Someone else saved the client meanwhile -> RELOAD (drop my changes) or KEEP editing."""
    box = QMessageBox(parent)
    box.setObjectName("editConflictBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Changed by someone else")
    box.setText(f"Someone else saved {name} after you opened it.")
    box.setInformativeText(
        "Nothing was saved. Reload their version (your changes here are discarded), or "
        "keep editing and copy what you need before reloading."
    )
    reload = box.addButton("Reload their version", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return RELOAD if box.clickedButton() is reload else KEEP


# -------------------------------------------------------------------- error wording

_LABELS = {
    "addresses": "Addresses",
    "address": "Address",
    "postal_code": "Postal code",
    "contacts": "Contacts",
    "personal": "Personal profile",
    "purchases": "Purchases",
    "items": "Line items",
    "unit_price": "Unit price",
    "discount_percent": "Discount %",
    "pricing": "Pricing",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "preferences": "Preferences",
    "seasonal_needs": "Seasonal needs",
    "specifications": "Specifications",
    "interactions": "Timeline",
    "tasks": "Tasks",
    "due": "Due date",
}
_SCALAR_LISTS = {"emails": "Email", "phones": "Phone", "tags": "Tag", "months": "Month"}


def describe_path(parts: list[PathPart]) -> str:
    """``contacts[0].email`` -> ``Contacts › row 1 › Email``."""
    words: list[str] = []
    for key, index in parts:
        if index is not None and key in _SCALAR_LISTS:
            words.append(f"{_SCALAR_LISTS[key]} {index + 1}")
            continue
        words.append(_LABELS.get(key) or key.replace("_", " ").capitalize())
        if index is not None:
            words.append(f"row {index + 1}")
    return " › ".join(words)
