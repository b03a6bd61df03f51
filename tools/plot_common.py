"""What every spinnet plotting script shares: one-line errors with exit code 2, and importing numpy
and matplotlib (Agg) from Debian's packages. Imported by plot.py, plot_training.py,
plot_size_study.py and plot_physics_in_the_loop.py (Python puts a script's own folder on sys.path)."""

import os
import sys

EXIT_USER_ERROR = 2
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's interpreter, where python3-matplotlib installs


def fail(program, message):
    """Reports a problem the user can act on in one line and exits with code 2."""
    print(f"{program}: error: {message}", file=sys.stderr)
    sys.exit(EXIT_USER_ERROR)


def import_plotting(program):
    """Imports numpy and matplotlib (Agg) and returns (numpy, matplotlib.pyplot). A python3 that lacks
    them (a pyenv or virtualenv python first on PATH) hands over to Debian's interpreter, which
    python3-matplotlib installs into; where that has none either, one line says what to install."""
    try:
        import matplotlib
        import numpy
    except ImportError as error:
        here = os.path.realpath(sys.executable or "")
        if os.access(SYSTEM_PYTHON, os.X_OK) and here != os.path.realpath(SYSTEM_PYTHON):
            script = os.path.abspath(sys.argv[0])
            os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, script, *sys.argv[1:]])
        fail(program, f"cannot import matplotlib and numpy ({error}): install python3-matplotlib and python3-numpy "
                      "(Debian: apt install python3-matplotlib), or set SPINNET_PYTHON to a python3 that has them")
    matplotlib.use("Agg")
    import matplotlib.pyplot
    return numpy, matplotlib.pyplot
