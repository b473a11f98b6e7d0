"""The ``crmdesk`` command's sub-commands, grouped by domain.

``*_args`` modules declare the options (light: argparse and nothing of crmdesk's data
layers, so ``crmdesk --help`` and ``--version`` start at once); ``*_cmds`` modules hold the
handlers, imported only when their command runs (:mod:`crmdesk.commands.lazy`). Handlers
reach data through ``crmdesk.services`` only.
"""
