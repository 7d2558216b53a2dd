"""``python -m grader`` is the same as the ``grader`` command."""
import sys

from .start import main

sys.exit(main())
