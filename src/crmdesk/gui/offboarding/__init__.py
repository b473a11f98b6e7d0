"""An employee leaves: the offboarding wizard, and rotating the vault key on its own."""
