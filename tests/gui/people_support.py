"""Helpers for the people tests: an office vault with several users, and a way to answer
modal dialogs (``exec()``) as a person would, from a timer inside their event loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from crmdesk.services import session as sessions
from crmdesk.services import signin
from crmdesk.services.clients import ClientService
from crmdesk.services.people import UserService
from crmdesk.services.policy import PolicyService
from crmdesk.services.session import Session

OWNER_PASSWORD = "owner password 123"
INITIAL = {"bob": "initial pass 123", "carol": "initial pass 456", "dave": "initial pass 789"}
OWN = {"bob": "bob chose this one", "carol": "carol chose this one", "dave": "dave chose this one"}
NAMES = {"bob": "Bob Stone", "carol": "Carol Reyes", "dave": "Dave Ng"}


@dataclass
class Office:
    """The vault folder, its keyring, and the ids of two clients with value-added data."""

    folder: Path
    keystore: Any
    bobs_client: int
    others_client: int
    opened: list[Session] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # who chose their own password

    def owner(self) -> Session:
        """A fresh owner session on its own connection (to check what was saved)."""
        session = sessions.unlock(
            self.folder, keystore=self.keystore, login="zoe", password=OWNER_PASSWORD
        )
        self.opened.append(session)
        return session

    def ready(self, login: str) -> Session:
        """``login`` signed in past the gates (own password chosen, policy accepted)."""
        unlocked = sessions.open_vault(self.folder, keystore=self.keystore)
        password = OWN[login] if login in self.changed else INITIAL[login]
        session = unlocked.sign_in(login, password)
        if session.must_change_password:
            signin.change_password(session, INITIAL[login], OWN[login])
            self.changed.add(login)
        if session.pending_policy_version() is not None:
            PolicyService(session).accept()
        self.opened.append(session)
        return session

    def close_all(self) -> None:
        for session in self.opened:
            if session.is_open:
                session.close()


def make_office(owner: Session, folder: Path, keystore: Any) -> Office:
    """From a one-user vault: the owner sets a password and adds bob (salesperson),
    carol (manager) and dave (assistant); two clients, one of them bob's."""
    signin.set_password(owner, OWNER_PASSWORD)
    users = UserService(owner)
    users.add("bob", NAMES["bob"], "salesperson", INITIAL["bob"], owner_password=OWNER_PASSWORD)
    users.add("carol", NAMES["carol"], "manager", INITIAL["carol"])
    users.add("dave", NAMES["dave"], "assistant", INITIAL["dave"])
    clients = ClientService(owner)
    bobs = clients.add(
        {
            "name": "Bob's Bakery Supplies",
            "salesperson": "Bob Stone",
            "industry": "Bakery",
            "phone": "+1 202 555 0101",
            "notes": "Decides in January.",
            "pricing": [{"product": "Flour T550", "price": "19.90"}],
            "preferences": [{"topic": "Delivery", "detail": "Mornings only"}],
        }
    )
    others = clients.add(
        {
            "name": "Harbour Fish Market",
            "salesperson": "Zoë Łukasiewicz",
            "industry": "Fish",
            "phone": "+1 202 555 0102",
            "notes": "Owner's nephew takes over in spring.",
            "contacts": [
                {
                    "name": "Mara Quinn",
                    "title": "Buyer",
                    "birthday": "1980-03-04",
                    "personal": {"hobbies": "sailing"},
                }
            ],
            "purchases": [
                {
                    "date": "2026-10-01",
                    "items": [{"product": "Ice 20kg", "quantity": "10", "unit_price": "4.50"}],
                }
            ],
            "pricing": [{"product": "Ice 20kg", "price": "4.10", "terms": "net 30"}],
            "preferences": [{"topic": "Packaging", "detail": "Styrofoam boxes"}],
            "specifications": [{"item": "Ice", "detail": "Flake, not cubes"}],
            "interactions": [
                {
                    "date": "2026-11-02",
                    "kind": "call",
                    "contact": "Mara Quinn",
                    "summary": "Wants a winter discount",
                    "outcome": "Quote by Friday",
                }
            ],
        }
    )
    return Office(folder, keystore, bobs, others)


def audit_actions(session: Session, actor: str | None = None) -> list[str]:
    sql = "SELECT action FROM audit_events"
    args: tuple[str, ...] = ()
    if actor is not None:
        sql += " WHERE actor = ?"
        args = (actor,)
    with session.vault.reading() as conn:
        return [r[0] for r in conn.execute(sql + " ORDER BY seq", args)]


class Answers:
    """Answers to modal dialogs: ``on(cls, fn)`` runs ``fn(dialog)`` once a visible
    dialog of that class appears (each answer once, in the order they appear).

    A dialog nobody answers within ``timeout`` seconds is rejected, so that a test
    fails instead of hanging; :meth:`check` raises what went wrong."""

    def __init__(self, timeout: float = 20.0) -> None:
        self._pending: list[tuple[type, Callable[[Any], None]]] = []
        # The dialogs answered, held (not their ids: a dialog made after one was freed can
        # get the same id, and would then be taken for answered and never be).
        self._handled: list[Any] = []
        self.errors: list[str] = []
        self._deadline = time.monotonic() + timeout
        self.seen: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(15)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def on(self, cls: type, fn: Callable[[Any], None]) -> Answers:
        self._pending.append((cls, fn))
        return self

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible() or any(w is widget for w in self._handled):
                continue
            for i, (cls, fn) in enumerate(self._pending):
                if isinstance(widget, cls):
                    self._handled.append(widget)
                    del self._pending[i]
                    self.seen.append(type(widget).__name__)
                    try:
                        fn(widget)
                    except Exception as exc:  # noqa: BLE001 - reported by check()
                        self.errors.append(f"{type(widget).__name__}: {exc!r}")
                        if isinstance(widget, QDialog) and widget.isVisible():
                            widget.reject()
                    return
        if time.monotonic() > self._deadline:
            modal = QApplication.activeModalWidget()
            if isinstance(modal, QDialog):
                self.errors.append(f"unanswered dialog {type(modal).__name__}")
                modal.reject()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        self.stop()
        assert self.errors == [], self.errors
        assert self._pending == [], f"never shown: {[c.__name__ for c, _ in self._pending]}"


def message_box_text(box: QMessageBox) -> str:
    return box.text() + "\n" + box.informativeText()


def close_box(texts: list[str]) -> Callable[[QMessageBox], None]:
    """An answer for an error box: remember its text, then close it."""

    def answer(box: QMessageBox) -> None:
        texts.append(message_box_text(box))
        box.accept()

    return answer


def top_levels(cls: type) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()]
