"""The owner's Activity page: who viewed, changed, printed and exported what, and alerts."""
