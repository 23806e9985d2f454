#!/usr/bin/env python3
"""Fetch MicroPython's source from Debian's package registry into a local cache.

The host firmware is built from the ``micropython`` source package of Debian 13
"trixie". Build machines run Debian 12, whose archive has no MicroPython source,
so this script keeps a private apt configuration: the mirror is taken from the
machine's own apt sources, the suite is trixie, the type is deb-src. Nothing is
installed system-wide. The download is checked against pinned hashes and
unpacked (with Debian's patches applied) by dpkg-source, then the build fixes in
tools/micropython-patches/ are applied. A second run is a no-op.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "micropython"
VERSION = "1.25.0+ds-1"
SUITE = "trixie"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Pinned so that a changed upload is noticed, not silently built.
SHA256 = {
    "micropython_1.25.0+ds-1.dsc": "8c7c406be88a6f3bc19e694eb0bbc5841112243fdf2b5a296e000d8fdc5f3c34",
    "micropython_1.25.0+ds.orig.tar.xz": "7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea",
    "micropython_1.25.0+ds-1.debian.tar.xz": "87cd89f7900c86b963885dabe25acf3e5348815993f1500278ad8f6464465af4",
}
APT_SOURCES = [Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d")]
# Our own build fixes, applied on top of Debian's patches.
PATCHES = sorted((Path(__file__).resolve().parent / "micropython-patches").glob("*.patch"))


class FetchError(Exception):
    pass


def _source_files() -> list[Path]:
    files: list[Path] = []
    for path in APT_SOURCES:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".list", ".sources")))
    return files


def _entries(path: Path) -> list[tuple[str, list[str]]]:
    """(URI, suites) of each binary-package entry in a one-line or deb822 file."""
    text = path.read_text(errors="replace")
    found: list[tuple[str, list[str]]] = []
    if path.suffix == ".sources":
        for stanza in text.split("\n\n"):
            fields: dict[str, str] = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
            if fields.get("enabled", "yes").lower() == "no" or "deb" not in fields.get("types", "").split():
                continue
            for uri in fields.get("uris", "").split():
                found.append((uri, fields.get("suites", "").split()))
    else:
        for line in text.splitlines():
            words = line.split("#", 1)[0].split()
            if not words or words[0] != "deb":
                continue
            words = words[1:]
            if words and words[0].startswith("["):
                while words and not words[0].endswith("]"):
                    words = words[1:]
                words = words[1:]
            if len(words) >= 2:
                found.append((words[0], [words[1]]))
    return found


def debian_mirror() -> str:
    """The URI of the machine's main Debian archive (not security, not a third party)."""
    for path in _source_files():
        for uri, suites in _entries(path):
            release_suites = [s for s in suites if "-" not in s and "/" not in s]
            if release_suites and "security" not in uri and uri.rstrip("/").endswith("/debian"):
                return uri.rstrip("/")
    raise FetchError("no Debian archive found in the machine's apt sources (" + ", ".join(map(str, APT_SOURCES)) + ")")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise FetchError("command failed: " + " ".join(cmd) + "\n" + result.stdout[-4000:])


def _stamp_text() -> str:
    """What the unpacked tree is: the version and the patches applied to it."""
    return "\n".join([VERSION, *(f"{p.name} {_sha256(p)}" for p in PATCHES)]) + "\n"


def fetch(cache: Path) -> Path:
    tree = cache / f"{PACKAGE}-{VERSION}"
    stamp = tree / ".netman-fetched"
    if stamp.is_file() and stamp.read_text() == _stamp_text():
        return tree
    for tool in ("apt-get", "dpkg-source", "patch"):
        if shutil.which(tool) is None:
            raise FetchError(f"'{tool}' is not installed (apt-get install apt dpkg-dev patch)")

    apt = cache / "apt"
    for sub in ("lists/partial", "cache/archives/partial", "sources.list.d"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    sources = apt / "sources.list"
    sources.write_text(f"deb-src [signed-by={KEYRING}] {debian_mirror()} {SUITE} main\n")
    options = [
        "-o", f"Dir::Etc::SourceList={sources}",
        "-o", f"Dir::Etc::SourceParts={apt / 'sources.list.d'}",
        "-o", f"Dir::State::Lists={apt / 'lists'}",
        "-o", f"Dir::Cache={apt / 'cache'}",
        "-o", f"APT::Sandbox::User={getpass.getuser()}",
        "-o", "Debug::NoLocking=1",
    ]
    _run(["apt-get", *options, "-q", "update"])

    download = cache / "download"
    download.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", *options, "-q", "source", "--download-only", f"{PACKAGE}={VERSION}"], cwd=download)
    for name, expected in SHA256.items():
        actual = _sha256(download / name)
        if actual != expected:
            raise FetchError(f"{name}: sha256 {actual} does not match the pinned {expected}")

    if tree.exists():
        shutil.rmtree(tree)
    # The pinned hashes above are the trust anchor; the uploader's key is not on the machine.
    _run(["dpkg-source", "--no-check", "-x", str(download / f"{PACKAGE}_{VERSION}.dsc"), str(tree)])
    for patch in PATCHES:
        _run(["patch", "-p1", "--forward", "--quiet", "-i", str(patch)], cwd=tree)
    stamp.write_text(_stamp_text())
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, required=True, help="cache directory (e.g. build/cache)")
    args = parser.parse_args()
    try:
        tree = fetch(args.cache.resolve())
    except FetchError as error:
        print(f"fetch_micropython: {error}", file=sys.stderr)
        return 1
    print(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
