"""Every test runs on one simulated E16 opened in this process (unless
EPYTHON_DEVICE names another device, e.g. a simulator file or a board)."""

import os

os.environ.setdefault("EPYTHON_DEVICE", "sim")
