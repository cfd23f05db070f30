"""The ``verifier`` command line: the only code that imports typer or rich.
It parses options, calls the library (``verifier.pipeline`` and the
stages) and prints what came back.

* ``app``: the app, its callback and the one error handler;
* ``options``: the options the commands share, each written once;
* ``documents``, ``reports``, ``runs``, ``upkeep``: the commands;
* ``progress`` and ``tables``: what is shown while a check runs and after.

Each command's docstring is its ``--help``, with an example; the README lists
every command and option (a test checks it).
"""

# The command modules register their commands on ``app`` when imported, in
# the order --help lists them (the modules' names sort in that order).
from verifier.cli import documents, reports, runs, upkeep  # noqa: F401
from verifier.cli.app import app, main

__all__ = ["app", "main"]
