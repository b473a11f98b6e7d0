"""The app's side of an office of laptops (issue 14): making the office and inviting
laptops (:mod:`.office_dialogs`), the background sync on the database worker
(:mod:`.runner`), the Sync page (:mod:`.page`), the conflicts (:mod:`.conflicts`), and
their menus and status-bar indicator in the main window (:mod:`.menus`). Joining an
office is on the first-run screen (``crmdesk.gui.vault_flows.welcome_join``).

Everything goes through ``crmdesk.services.replication``; nothing here reads the vault.
"""
