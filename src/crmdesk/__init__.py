"""crmdesk: an offline desktop CRM that keeps a business's client records secret."""

__version__ = "0.1.0"
