#!/usr/bin/env python3
"""Prints the path of a Go toolchain for building tools (actionlint), fetching a pinned one if needed.

Usage: go-toolchain.py --version 1.26.11 --minimum 1.25 --sha256 <hex> --dest .tools

An installed `go` at least --minimum is used as it is. Otherwise Go is fetched without Go: the
module proxy serves every release as the module golang.org/toolchain@v0.0.1-go<version>.<os>-<arch>
(what `GOTOOLCHAIN` switching downloads), a zip checked here against the pinned --sha256 and
unpacked into <dest>/go-<version>. GOPROXY's first URL is used, as `go` would (default
proxy.golang.org). Only the standard library is needed, so a machine with Python and nothing else
can bootstrap.
"""

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path


def fail(message: str) -> None:
    print(f"go-toolchain: {message}", file=sys.stderr)
    sys.exit(1)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def installed_go(minimum: str) -> str | None:
    go = shutil.which("go")
    if go is None:
        return None
    try:
        # GOTOOLCHAIN=local: report this binary's version, never one it would switch to.
        found = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True, env={**os.environ, "GOTOOLCHAIN": "local"}).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return go if version_tuple(found) >= version_tuple(minimum) else None


def go_platform() -> str:
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), platform.machine().lower())
    return f"{platform.system().lower()}-{arch}"


def proxy_url() -> str:
    for entry in re.split(r"[,|]", os.environ.get("GOPROXY", "")):
        if entry.startswith(("https://", "http://", "file://")):
            return entry.rstrip("/")
    return "https://proxy.golang.org"


def fetch(version: str, sha256: str, dest: Path) -> Path:
    root = dest / f"go-{version}"
    go = root / "bin" / "go"
    if go.exists():
        return go
    module_version = f"v0.0.1-go{version}.{go_platform()}"
    url = f"{proxy_url()}/golang.org/toolchain/@v/{module_version}.zip"
    print(f"go-toolchain: fetching Go {version} from {url}", file=sys.stderr)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as work:
        archive = Path(work) / "go.zip"
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=60) as response, archive.open("wb") as out:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except OSError as error:
            fail(f"cannot download {url}: {error}")
        if digest.hexdigest() != sha256:
            fail(f"{url} has sha256 {digest.hexdigest()}, not the pinned {sha256}; refusing to use it")
        prefix = f"golang.org/toolchain@{module_version}/"
        unpacked = Path(work) / "go"
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                if not member.filename.startswith(prefix) or member.is_dir():
                    continue
                target = unpacked / member.filename[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
                # zipfile drops Unix modes; the executables (bin/go, pkg/tool/*) need theirs back.
                mode = (member.external_attr >> 16) & 0o777
                if mode:
                    target.chmod(mode)
        if not (unpacked / "bin" / "go").exists():
            fail(f"{url} holds no bin/go")
        unpacked.rename(root)
    return go


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="the Go release to fetch, e.g. 1.26.11")
    parser.add_argument("--minimum", required=True, help="the oldest installed Go to accept instead, e.g. 1.25")
    parser.add_argument("--sha256", default="", help="sha256 of the toolchain zip for this platform (empty: no pin)")
    parser.add_argument("--dest", required=True, type=Path)
    args = parser.parse_args()
    go = installed_go(args.minimum)
    if go is None:
        if not args.sha256:
            fail(f"no pinned Go toolchain for {go_platform()}: install Go {args.minimum} or newer (https://go.dev/dl/)")
        go = str(fetch(args.version, args.sha256, args.dest.resolve()))
    print(go)


if __name__ == "__main__":
    main()
