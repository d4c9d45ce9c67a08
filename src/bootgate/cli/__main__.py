"""`python -m bootgate.cli`: the same as the `bootgate` command."""

import sys

from . import main

sys.exit(main())
