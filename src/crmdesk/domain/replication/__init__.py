"""How several devices' copies of the client store converge without a server (issue 14).

Pure rules, no storage: a hybrid logical clock stamps each change (:mod:`.clock`);
:mod:`.changes` says what a change is; :mod:`.merge` decides, for any set of changes
received in any order, any number of times, the one state every device arrives at, and
the conflicts a person should settle.

The scheme is cr-sqlite's (https://vlcn.io/docs/cr-sqlite/intro), implemented here:
column-level last-writer-wins, with a causal length per row for deletion and
resurrection, ordered by hybrid logical clocks instead of per-column counters, plus a
record of which version each write replaced, so that writes made without knowledge of
each other are found (and listed as conflicts) the same way on every device.
"""
