"""python -m bdp_report --lake .lake --out .report/index.html"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from bdp_report.page import render
from bdp_report.tables import LakeNotReadyError, load_gold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bdp_report", description="Render the local lake's gold tables as one HTML page."
    )
    parser.add_argument("--lake", default=".lake", help="local lake folder (default .lake)")
    parser.add_argument("--out", type=Path, default=Path(".report/index.html"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    con = duckdb.connect()
    try:
        sources = load_gold(con, args.lake)
    except LakeNotReadyError as error:
        print(error, file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(con, args.lake, sources), encoding="utf-8")
    print(f"report: {args.out} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
