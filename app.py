"""Start the briefing web UI: `python app.py [--host H] [--port P] [--share]`."""

import sys

from briefing.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
