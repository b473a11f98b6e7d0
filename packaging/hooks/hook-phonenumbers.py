"""PyInstaller hook for phonenumbers, used instead of pyinstaller-hooks-contrib's.

phonenumbers loads its per-country metadata modules by name, so they must be listed;
the contrib hook lists every submodule, including 40 MB of geocoding, carrier and
time-zone data that crmdesk never uses (it only parses, checks and formats numbers).
"""

from PyInstaller.utils.hooks import collect_submodules

UNUSED = ("geocoder", "geodata", "carrier", "carrierdata", "timezone", "tzdata")

hiddenimports = collect_submodules(
    "phonenumbers",
    filter=lambda name: name.split(".")[1:2] not in [[u] for u in UNUSED],
)
