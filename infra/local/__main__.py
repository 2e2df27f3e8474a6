"""`python -m infra.local`: start the local stack (see server.py)."""

import sys

from infra.local.server import main

sys.exit(main())
