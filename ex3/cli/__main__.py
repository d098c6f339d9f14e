"""``python -m ex3.cli``: the ``ex3`` command without its console script."""

import sys

from ex3.cli import main

sys.exit(main())
