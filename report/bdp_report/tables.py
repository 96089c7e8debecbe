"""The lake's gold tables in DuckDB, read with PyIceberg.

A local lake keeps its silver and gold Iceberg tables in a Hadoop catalog (bdp_etl/session.py): a
table is the folder `<lake>/<zone>/<name>`, and each commit writes the next
`metadata/v<N>.metadata.json`. DuckDB's own iceberg extension is downloaded on first use, which
an offline laptop or CI cannot do, so PyIceberg reads the newest metadata file as a `StaticTable`,
plans the scan of its current snapshot (the `main` branch the jobs publish to) and hands the rows
to DuckDB as Arrow. Gold tables hold a few rows per date, so reading them whole is cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from pyiceberg.table import StaticTable

from bdp_etl.lake import Lake
from bdp_etl.schema import datasets

METADATA_VERSION = re.compile(r"^v(\d+)\.metadata\.json$")


class LakeNotReadyError(RuntimeError):
    """The lake lacks gold tables the report needs."""


@dataclass(frozen=True)
class Source:
    """Which snapshot of a table the report shows."""

    table: str
    metadata: Path
    snapshot_id: int | None
    committed_at: datetime | None
    rows: int


def gold_tables() -> list[str]:
    """Every gold dataset datasets.json declares."""
    return [d.name for d in datasets() if d.zone == "gold"]


def current_metadata(table_dir: Path) -> Path | None:
    """The newest `v<N>.metadata.json` of a Hadoop-catalog table, None when there is none.

    A commit renames its new metadata file into place atomically, so the highest version is the
    current one; `version-hint.text` is only a shortcut to it and is written after the rename.
    """
    versions = [
        (int(match.group(1)), path)
        for path in (table_dir / "metadata").glob("v*.metadata.json")
        if (match := METADATA_VERSION.match(path.name))
    ]
    return max(versions)[1] if versions else None


def load_gold(con: duckdb.DuckDBPyConnection, lake_root: str) -> list[Source]:
    """Register every gold table of a local lake in DuckDB under its dataset name.

    Fails listing every missing table at once, with the command that makes them.
    """
    if "://" in lake_root:
        raise LakeNotReadyError(f"The report reads a local lake folder; got {lake_root!r}")
    lake = Lake(lake_root)
    found = {name: current_metadata(Path(lake.location("gold", name))) for name in gold_tables()}
    missing = [name for name, metadata in found.items() if metadata is None]
    if missing:
        raise LakeNotReadyError(
            f"Lake {lake_root!r} has no Iceberg table for gold "
            f"{', '.join(missing)} (looked for {lake.zone_root('gold')}/<table>/metadata/"
            "v<N>.metadata.json). Fill it first: `make pipeline ROWS=20000 "
            f"ETL_LAKE={lake_root}` or `make local-run`."
        )
    sources = []
    for name, metadata in found.items():
        table = StaticTable.from_metadata(str(metadata.resolve()))
        rows = table.scan().to_arrow()
        con.register(name, rows)
        snapshot = table.current_snapshot()
        sources.append(
            Source(
                table=f"gold.{name}",
                metadata=metadata,
                snapshot_id=snapshot.snapshot_id if snapshot else None,
                committed_at=(
                    datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC) if snapshot else None
                ),
                rows=rows.num_rows,
            )
        )
    return sources
