"""Build the EMR artefacts: `<out>/bdp_etl.zip` (the package and datasets.json) and `<out>/main.py`.

The zip is reproducible (sorted entries, fixed timestamps): an unchanged package stays byte-equal.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

ETL = Path(__file__).resolve().parent
PACKAGE = ETL / "bdp_etl"
SHIPPED_SUFFIXES = {".py", ".json"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def build(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    archive_path, entry_point = out / "bdp_etl.zip", out / "main.py"
    files = sorted(p for p in PACKAGE.rglob("*") if p.suffix in SHIPPED_SUFFIXES and p.is_file())
    with zipfile.ZipFile(archive_path, "w") as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(ETL).as_posix(), ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
    shutil.copyfile(ETL / "main.py", entry_point)
    return archive_path, entry_point


if __name__ == "__main__":
    for artefact in build(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/etl")):
        print(f"built {artefact}")
