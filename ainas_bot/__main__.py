from __future__ import annotations

import sys

from ainas_bot.cli.main import main

sys.exit(main())
