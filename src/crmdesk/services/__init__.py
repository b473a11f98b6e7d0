"""The only door to data: every read and write by the GUI or the CLI goes through here,
so both obey the same rules and leave the same audit trail."""
