"""``python -m epython ARGS`` and the ``epython`` command the package
installs: the epython CLI (run a program on the cores, compile, device
bring-up, sim serve), run by the cli crate's own code inside the extension.
"""

import sys

from . import _native


def main():
    """Run ``epython`` with this process's arguments; its exit status."""
    # The CLI writes to the process's stdout and stderr directly.
    sys.stdout.flush()
    sys.stderr.flush()
    return _native.cli_main(["epython", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
