#!/usr/bin/env python3
"""Install MicroPython packages from PyPI into a folder, as MicroPython's own
`upip` did: MicroPython packages on PyPI are source archives without a
setup.py (pip cannot build them), whose files are copied as they are and
whose `*.egg-info/requires.txt` names the packages they need.

    tools/upip.py --target DIR micropython-umqtt.robust [...]

The archive is found and fetched by pip's own machinery, so pip's
configuration (indexes, certificates, proxies) applies and no registry is
named here; its hash is checked against the one the index gives.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
from pathlib import Path, PurePosixPath

# Files of an upip archive that are packaging, not the package.
PACKAGING = ("setup.py", "setup.cfg", "PKG-INFO", "MANIFEST.in", "README", "README.md", "README.rst", "LICENSE")


class UpipError(Exception):
    pass


def fetch(name: str) -> tuple[str, bytes]:
    """The newest source archive of `name` on the configured indexes: (file name, bytes)."""
    from pip._internal.commands import create_command

    command = create_command("download")
    options, _ = command.parse_args(["--no-deps", "--no-binary", ":all:", name])
    with command.main_context():
        session = command.get_default_session(options)
        finder = command._build_package_finder(options, session)
        best = finder.find_best_candidate(name).best_candidate
        if best is None:
            raise UpipError(f"{name}: no source archive on the package index")
        link = best.link
        response = session.get(link.url.split("#")[0])
        response.raise_for_status()
        data = response.content
    if link.hash_name and hashlib.new(link.hash_name, data).hexdigest() != link.hash:
        raise UpipError(f"{name}: the archive does not match the index's {link.hash_name}")
    return link.filename, data


def unpack(archive: bytes, target: Path) -> list[str]:
    """Copy the package's files into target; returns what requires.txt names."""
    requires: list[str] = []
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts[1:]  # below the "name-version/" folder
            if not member.isfile() or not parts or ".." in parts:
                continue
            source = tar.extractfile(member)
            assert source is not None
            content = source.read()
            if parts[0].endswith(".egg-info"):
                if parts[-1] == "requires.txt":
                    requires += [line.strip() for line in content.decode().splitlines() if line.strip()]
                continue
            if len(parts) == 1 and parts[0] in PACKAGING:
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
    return requires


def install(names: list[str], target: Path) -> list[str]:
    """Install the packages and what they require; the archives installed."""
    target.mkdir(parents=True, exist_ok=True)
    done: set[str] = set()
    installed: list[str] = []
    queue = list(names)
    while queue:
        name = queue.pop(0)
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in done:
            continue
        done.add(key)
        filename, archive = fetch(name)
        queue += unpack(archive, target)
        installed.append(filename)
    return installed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=Path, required=True, help="the folder to install into")
    parser.add_argument("packages", nargs="+")
    args = parser.parse_args(argv)
    try:
        for filename in install(args.packages, args.target):
            print("installed", filename)
    except UpipError as error:
        print(f"upip: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
