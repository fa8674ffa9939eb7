"""``python -m briefing.cli``."""

import sys

from . import main

if __name__ == "__main__":  # package walkers import this module too
    sys.exit(main())
