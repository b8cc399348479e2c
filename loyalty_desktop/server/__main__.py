"""`python -m loyalty_desktop.server serve --db ...` (the same commands as `loyalty-desktop server`)."""

import sys

from .cli import main

sys.exit(main())
