"""Structured logging: one JSON object per line on stdout, beside Spark's own log on stderr."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def log(event: str, **fields: object) -> None:
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event, **fields}
    print(json.dumps(record, default=str), file=sys.stdout, flush=True)


@contextmanager
def stage(name: str, **fields: object) -> Iterator[dict[str, object]]:
    """Time a stage and log it once it ends; the caller adds row counts to the yielded dict."""
    counts: dict[str, object] = {}
    started = time.perf_counter()
    yield counts
    log(
        "stage_done",
        stage=name,
        seconds=round(time.perf_counter() - started, 2),
        **fields,
        **counts,
    )
