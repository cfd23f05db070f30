"""Running the fetch stage's event loop: uvloop where it is installed.

uvloop (the ``fast`` extra) runs asyncio's loop in C: less CPU per request
for the same results. Without it, the standard loop runs; ``VERIFIER_UVLOOP=0``
turns it off where it is installed.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["run"]

T = TypeVar("T")


async def _on_asyncio(main: Coroutine[Any, Any, T]) -> T:
    """``main``, telling sniffio (how httpcore and anyio find the running
    library, several times a request) that this is asyncio: its lookup
    otherwise asks asyncio for the current task every time (4 % of a
    check's CPU). The tasks ``main`` starts inherit the answer."""
    try:
        import sniffio
    except ImportError:
        pass
    else:
        sniffio.current_async_library_cvar.set("asyncio")
    return await main


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, on uvloop when it is installed and not turned off."""
    main = _on_asyncio(main)
    if os.environ.get("VERIFIER_UVLOOP", "1") != "0":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(main)
    return asyncio.run(main)
