"""Qt pieces every part of the app shares: the stylesheet and label helpers
(:mod:`.style`), messages in place and the wait cursor (:mod:`.messages`), password and
key fields (:mod:`.secret_fields`), read-only tables of rows (:mod:`.rows`) and the dialog
base that remembers its size and place (:mod:`.dialog`).

Nothing here knows about vaults, sessions or services: any screen may use it. It imports
no other part of ``crmdesk.gui`` but the app's settings (:mod:`crmdesk.gui.settings`).
"""
