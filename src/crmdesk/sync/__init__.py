"""Changes between devices as files in a shared folder (issue 14): encrypted per key,
signed per device, never rewritten, so that any transport will do (Syncthing, a NAS
share, a cloud folder, a USB stick).

:mod:`.changefile` is the file format; :mod:`.folder` is where each device writes and
what a reader makes of everyone's files. No database here: the services decide what the
changes mean (:mod:`crmdesk.domain.replication`) and the vault keeps them.
"""
