"""crmdesk's domain layer: client records, validation, JSON contract, classification.

Pure Python: no Qt, no SQL, no I/O.
"""

from .classification import (
    FieldClass,
    Section,
    basic_paths,
    classify,
    field_path,
    paths_in,
    redact_value_added,
    section_of,
    value_added_paths,
)
from .entities import (
    Address,
    Client,
    Contact,
    Interaction,
    LineItem,
    PersonalProfile,
    Preference,
    PricingAgreement,
    Purchase,
    SeasonalNeed,
    Specification,
    Task,
)
from .errors import FieldError, ValidationError
from .json_codec import (
    CLIENT_KEYS,
    READ_ONLY_KEYS,
    apply_patch,
    client_from_json,
    client_to_json,
    validate_client,
)
from .patterns import (
    ProductSummary,
    PurchasingPatterns,
    buys_in_month,
    compute_patterns,
    patterns_to_json,
)
from .text import fold
from .validation import Collector

__all__ = [
    "CLIENT_KEYS",
    "READ_ONLY_KEYS",
    "Address",
    "Client",
    "Collector",
    "Contact",
    "FieldClass",
    "FieldError",
    "Interaction",
    "LineItem",
    "PersonalProfile",
    "Preference",
    "PricingAgreement",
    "ProductSummary",
    "Purchase",
    "PurchasingPatterns",
    "SeasonalNeed",
    "Section",
    "Specification",
    "Task",
    "ValidationError",
    "apply_patch",
    "basic_paths",
    "buys_in_month",
    "classify",
    "client_from_json",
    "client_to_json",
    "compute_patterns",
    "field_path",
    "fold",
    "paths_in",
    "patterns_to_json",
    "redact_value_added",
    "section_of",
    "validate_client",
    "value_added_paths",
]
