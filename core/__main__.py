"""``python -m condgan`` (what torchrun runs): the same as the ``condgan`` command."""

import sys

from .cli import main

sys.exit(main())
