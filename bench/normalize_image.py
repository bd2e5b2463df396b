"""Measure how long normalizing image inputs takes: configs, and archives by size and file count.

    python bench/normalize_image.py [--runs 7] [--loops 200] [--files 20000] [--megabytes 512]

Config inputs are the JSON files in tests/cases/image, normalized from memory
``loops`` times per run. Three archives are written to a temporary folder
first. The first is a docker save archive whose layers contain ``files``
small files in total, so the layer scan reads that many headers. The second
has the same layers gzip-compressed in an OCI layout tar. The third is a docker
save archive with one file of ``megabytes`` MiB, whose data is skipped with
seeks, so its time should not grow with the size. The median
time per input over ``runs`` runs is printed; times are CPU time of this
process, with the wall-clock median next to them. The figures in
docs/benchmarks.md come from this script.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import platform
import statistics
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prodpolicy.api import normalize  # noqa: E402

CASES = ROOT / "tests" / "cases" / "image"


def median_ms(function: Callable[[], object], runs: int, loops: int, clock: Callable[[], float]) -> float:
    """Return the median over ``runs`` of the mean time of one call, in milliseconds."""
    function()
    timings = []
    for _ in range(runs):
        start = clock()
        for _ in range(loops):
            function()
        timings.append((clock() - start) / loops * 1000)
    return statistics.median(timings)


def _add(tar: tarfile.TarFile, name: str, content: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = mode
    info.mtime = 1_700_000_000
    tar.addfile(info, io.BytesIO(content))


def _layer(files: int, start: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for number in range(start, start + files):
            # One file in a thousand is setuid, as in a distribution's /usr/bin.
            _add(tar, f"usr/share/app/{number // 1000}/file-{number}.txt", b"x" * 64, 0o4755 if number % 1000 == 0 else 0o644)
    return buffer.getvalue()


def _large_layer(path: Path, megabytes: int) -> None:
    with tarfile.open(path, mode="w") as tar:
        info = tarfile.TarInfo("data/blob.bin")
        info.size = megabytes * 1024 * 1024
        tar.addfile(info, _Zeros(info.size))


class _Zeros(io.RawIOBase):
    """A stream of zero bytes, so a large layer is written without holding it in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, size: int = -1) -> bytes:
        count = self.left if size < 0 else min(size, self.left)
        self.left -= count
        return bytes(count)


def docker_save(path: Path, config: bytes, layers: list[Path | bytes]) -> None:
    """Write a docker save archive in the format before Docker 25."""
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    names = []
    with tarfile.open(path, mode="w") as tar:
        _add(tar, config_name, config)
        for number, layer in enumerate(layers):
            name = f"{number:064d}/layer.tar"
            if isinstance(layer, Path):
                tar.add(layer, arcname=name)
            else:
                _add(tar, name, layer)
            names.append(name)
        manifest = [{"Config": config_name, "RepoTags": ["registry.example.internal/bench/app:1.0"], "Layers": names}]
        _add(tar, "manifest.json", json.dumps(manifest).encode())


def oci_archive(path: Path, config: bytes, layers: list[bytes]) -> None:
    """Write an OCI layout tar with gzip-compressed layers."""
    compressed = [gzip.compress(layer, mtime=0) for layer in layers]

    def digest(content: bytes) -> str:
        return "sha256:" + hashlib.sha256(content).hexdigest()

    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": len(config)},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(layer), "size": len(layer)}
                for layer in compressed
            ],
        }
    ).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": digest(manifest),
                "size": len(manifest),
                "annotations": {"org.opencontainers.image.ref.name": "registry.example.internal/bench/app:1.0"},
            }
        ],
    }
    with tarfile.open(path, mode="w") as tar:
        _add(tar, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        _add(tar, "index.json", json.dumps(index).encode())
        for blob in (config, manifest, *compressed):
            _add(tar, "blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="number of runs; the median is reported")
    parser.add_argument("--loops", type=int, default=200, help="normalizations of each config per run")
    parser.add_argument("--files", type=int, default=20000, help="files across the three layers of the archive")
    parser.add_argument("--megabytes", type=int, default=512, help="size of the one file in the large archive, in MiB")
    arguments = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {arguments.runs} runs")

    for name in ("44-image-healthcheck-cmd-shell.json", "oci-config-api.json", "oci-config-worker-classic.json"):
        content = (CASES / name).read_bytes()
        lines = content.count(b"\n")

        def run(content: bytes = content, name: str = name) -> object:
            return normalize(name, text=content)

        cpu = median_ms(run, arguments.runs, arguments.loops, time.process_time)
        wall = median_ms(run, arguments.runs, arguments.loops, time.perf_counter)
        print(f"{name} ({lines} lines): {cpu:.2f} ms CPU, {wall:.2f} ms wall")

    config = (CASES / "oci-config-api.json").read_bytes()
    per_layer = arguments.files // 3
    layers = [_layer(per_layer, number * per_layer) for number in range(3)]
    with tempfile.TemporaryDirectory() as folder:
        archives = {
            f"docker save, {arguments.files:,} files in 3 plain layers": Path(folder) / "save.tar",
            f"OCI layout tar, {arguments.files:,} files in 3 gzip layers": Path(folder) / "layout.tar",
            f"docker save, one {arguments.megabytes} MiB file": Path(folder) / "large.tar",
        }
        paths = list(archives.values())
        docker_save(paths[0], config, layers)
        oci_archive(paths[1], config, layers)
        large_layer = Path(folder) / "large-layer.tar"
        _large_layer(large_layer, arguments.megabytes)
        docker_save(paths[2], config, [large_layer])
        for label, path in archives.items():
            size = path.stat().st_size / (1024 * 1024)

            def run_archive(path: Path = path) -> object:
                return normalize(path)

            cpu = median_ms(run_archive, arguments.runs, 1, time.process_time)
            wall = median_ms(run_archive, arguments.runs, 1, time.perf_counter)
            print(f"{label} ({size:.1f} MiB): {cpu:.1f} ms CPU, {wall:.1f} ms wall")


if __name__ == "__main__":
    main()
