"""PyInstaller's entry script for the bundled app: the same entry point as ``crmdesk``."""

import sys

from crmdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
