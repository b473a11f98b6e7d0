"""Reading and writing client files: CSV, vCard and iCalendar (stdlib and writers only)."""
