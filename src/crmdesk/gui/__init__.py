"""The desktop app (PySide6). Widgets and models only: data comes from crmdesk.services."""
