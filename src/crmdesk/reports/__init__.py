"""Printable documents (PDF) made with reportlab: no Qt, no database access."""
