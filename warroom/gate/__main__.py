"""`python -m warroom.gate`: the SSH gate and/or the browser wallboard without the API."""

import sys

from warroom.gate.serve import main

if __name__ == "__main__":
    sys.exit(main())
