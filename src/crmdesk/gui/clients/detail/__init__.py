"""The client detail editor: a header with Save/Revert/Delete and one tab per part of the record."""
