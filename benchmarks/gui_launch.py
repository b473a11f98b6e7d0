"""One launch of the desktop app, timed (run by benchmarks/gui.py in a child process).

    python -m benchmarks.gui_launch LAUNCHED_AT VAULT_FOLDER

``LAUNCHED_AT`` is the parent's ``time.time()`` just before it started this process.
Runs the real entry point (``crmdesk --vault FOLDER``) and prints, as JSON, the seconds
from launch to the first window on screen and to the main window showing its client
list; then closes the app.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    launched, folder = float(sys.argv[1]), sys.argv[2]
    times: dict[str, float] = {}

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    import crmdesk.gui.app as app_module

    class Watch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if (
                "shown" not in times
                and event.type() == QEvent.Type.Expose
                and watched.isWindowType()  # a window's surface, now on screen
            ):
                times["shown"] = time.time() - launched
            return False

    def usable() -> None:
        for widget in QApplication.topLevelWidgets():
            panel = getattr(widget, "list_panel", None)
            if (
                panel is not None
                and widget.isVisible()
                and not panel.model.is_loading()
                and panel.model.client_id_at(0) is not None
            ):
                times["usable"] = time.time() - launched
                print(json.dumps(times), flush=True)
                widget.close()
                QApplication.quit()
                return

    original = app_module.application
    watch = Watch()
    poll = QTimer()

    def application() -> QApplication:
        app = original()
        app.installEventFilter(watch)
        poll.setInterval(2)
        poll.timeout.connect(usable)
        poll.start()
        return app

    app_module.application = application  # the real app, watched from the outside
    from crmdesk.cli import main as crmdesk

    return crmdesk(["--vault", folder])


if __name__ == "__main__":
    sys.exit(main())
