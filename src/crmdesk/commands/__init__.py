"""Handlers of the ``crmdesk`` command's sub-commands, grouped by domain."""
