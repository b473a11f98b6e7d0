"""Command handlers named, not imported, so that the command line starts fast.

The parser knows every command (built from the light ``*_args`` modules), but only the
command that runs imports its handler module, and with it what that needs: the
services, the vault, reportlab for a report, vobject for an export. ``crmdesk --help``
and ``--version`` import none of them. Every handler module is a plain submodule of
``crmdesk.commands``, so PyInstaller's ``collect_submodules("crmdesk")`` bundles it.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from functools import partial


class Handler:
    """``function`` of ``crmdesk.commands.<module>``, imported when the command runs."""

    __slots__ = ("module", "function")

    def __init__(self, module: str, function: str) -> None:
        self.module, self.function = module, function

    def resolve(self) -> Callable[[argparse.Namespace], int]:
        module = importlib.import_module(f"crmdesk.commands.{self.module}")
        return getattr(module, self.function)  # type: ignore[no-any-return]

    def __call__(self, args: argparse.Namespace) -> int:
        return int(self.resolve()(args))

    def __repr__(self) -> str:
        return f"Handler({self.module!r}, {self.function!r})"


def handlers_in(module: str) -> Callable[[str], Handler]:
    """``handlers_in("client_cmds")("cmd_show")``: the handlers of one module."""
    return partial(Handler, module)
