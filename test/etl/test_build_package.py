import json
import subprocess
import sys
import zipfile
from pathlib import Path

ETL = Path(__file__).resolve().parents[2] / "etl"
DATASETS_JSON = ETL / "bdp_etl" / "datasets.json"


def build(out):
    subprocess.run([sys.executable, str(ETL / "build_package.py"), str(out)], check=True)
    return out / "bdp_etl.zip", out / "main.py"


def test_package_is_reproducible_and_ships_the_declaration(tmp_path):
    archive, entry_point = build(tmp_path / "a")
    again, _ = build(tmp_path / "b")

    assert archive.read_bytes() == again.read_bytes()
    assert entry_point.read_text() == (ETL / "main.py").read_text()
    names = zipfile.ZipFile(archive).namelist()
    assert "bdp_etl/datasets.json" in names
    assert "bdp_etl/cli.py" in names
    assert all(name.startswith("bdp_etl/") and name.endswith((".py", ".json")) for name in names)


def test_the_zip_loads_its_declaration_without_the_source_tree(tmp_path):
    archive, _ = build(tmp_path)
    probe = (
        "import json, bdp_etl.schema as s; "
        "print(json.dumps([s.__file__, len(s.datasets()), s.dump()['silver.events'][4]]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(archive), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, dataset_count, amount = json.loads(result.stdout)
    assert module_file.startswith(str(archive))
    # Every dataset datasets.json declares is in the package.
    assert dataset_count == len(json.loads(DATASETS_JSON.read_text())["datasets"])
    assert amount == ["amount", "decimal(12,2)"]
