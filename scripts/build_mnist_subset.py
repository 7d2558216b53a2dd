#!/usr/bin/env python3
"""Build the class-balanced MNIST subset shipped in grader/packs/mlp/data/mnist.

From the full MNIST (the four standard gzip IDX files in --source) this takes
1,000 images per digit from the official training split (10,000 in all) and
200 per digit from the official test split (2,000 in all):

    rng = numpy.random.default_rng(SEED)
    for split in (train, test): for digit in 0..9:
        rng.choice(indices of that digit, size=per_class, replace=False)
    then the chosen indices of each split are sorted, so the subset keeps the
    original files' order (which mixes the classes).

It checks the MD5 of the uncompressed source files against the published
values first, writes the four files under the standard names into --out
(gzip, no name, mtime 0: same input, same bytes), and SOURCE.json recording the
seed, the per-class counts and the MD5s of the source and the subset files.
Running it twice gives byte-identical output.

Relative --source/--out paths are resolved against the repository root (the
parent of this script's folder), so it can be run from any directory:

    python scripts/build_mnist_subset.py
"""
import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from grader.packs.mlp.datasets import MNIST_FILES, idx_bytes, read_idx, write_idx  # noqa: E402

SEED = 20261122
PER_CLASS = {"train": 1000, "test": 200}
N_CLASSES = 10
DEFAULT_SOURCE = "../shared/data/mnist"
DEFAULT_OUT = "grader/packs/mlp/data/mnist"
METADATA_NAME = "SOURCE.json"

# Published MD5s of the uncompressed original files.
SOURCE_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

ERR_MD5 = ("{path}: MD5 of the uncompressed content is {found}, "
           "expected the published {expected}; not the original MNIST file")
ERR_MISSING = "{path}: source file not found"
ERR_TOO_FEW = "{split} split has only {available} images of digit {digit}, need {needed}"

CREDIT = ("The MNIST database of handwritten digits, by Yann LeCun, "
          "Corinna Cortes and Christopher J.C. Burges")
LICENCE = "Distributed with attribution (commonly cited as CC BY-SA 3.0)"


def resolve(path):
    """`path` as an absolute Path; a relative one is taken from the repository root."""
    path = Path(path)
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


def uncompressed_md5(path):
    """Hex MD5 of the decompressed content of the gzip file at `path`."""
    digest = hashlib.md5()
    with gzip.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_sources(source):
    """Check the four files in `source` against SOURCE_MD5; return {raw name: md5}."""
    found = {}
    for gz_name in MNIST_FILES.values():
        path = source / gz_name
        if not path.is_file():
            raise FileNotFoundError(ERR_MISSING.format(path=path))
        raw_name = gz_name[:-len(".gz")]
        md5 = uncompressed_md5(path)
        if md5 != SOURCE_MD5[raw_name]:
            raise ValueError(ERR_MD5.format(path=path, found=md5,
                                            expected=SOURCE_MD5[raw_name]))
        found[raw_name] = md5
    return found


def choose(labels, per_class, rng, split):
    """Sorted indices into `labels` of shape (N,): `per_class` random ones per digit."""
    chosen = []
    for digit in range(N_CLASSES):
        pool = np.flatnonzero(labels == digit)
        if len(pool) < per_class:
            raise ValueError(ERR_TOO_FEW.format(split=split, available=len(pool),
                                                digit=digit, needed=per_class))
        chosen.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def build(source, out):
    """Verify `source`, write the subset and SOURCE.json into `out`; return the metadata."""
    source_md5 = verify_sources(source)
    full = {key: read_idx(source / name) for key, name in MNIST_FILES.items()}
    rng = np.random.default_rng(SEED)
    subset = {}
    for split in ("train", "test"):                 # order matters: one rng stream
        keep = choose(full[f"{split}_labels"], PER_CLASS[split], rng, split)
        subset[f"{split}_images"] = full[f"{split}_images"][keep]
        subset[f"{split}_labels"] = full[f"{split}_labels"][keep]
    out.mkdir(parents=True, exist_ok=True)
    subset_md5 = {}
    for key, gz_name in MNIST_FILES.items():
        write_idx(out / gz_name, subset[key])
        subset_md5[gz_name[:-len(".gz")]] = hashlib.md5(idx_bytes(subset[key])).hexdigest()
    metadata = {
        "dataset": "MNIST, class-balanced subset",
        "credit": CREDIT,
        "licence": LICENCE,
        "built_by": "scripts/build_mnist_subset.py",
        "seed": SEED,
        "method": ("numpy.random.default_rng(seed); for train then test, for digit 0..9: "
                   "rng.choice(indices of the digit, size=per_class, replace=False); "
                   "indices of each split sorted to keep the original order"),
        "per_class": PER_CLASS,
        "counts": {split: np.bincount(subset[f"{split}_labels"],
                                      minlength=N_CLASSES).tolist()
                   for split in ("train", "test")},
        "source_md5_uncompressed": source_md5,
        "subset_md5_uncompressed": subset_md5,
    }
    (out / METADATA_NAME).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def summary(out, metadata):
    """A few human-readable lines about the subset written to `out`."""
    lines = [f"wrote MNIST subset to {out} (seed {metadata['seed']})"]
    for split in ("train", "test"):
        counts = metadata["counts"][split]
        lines.append(f"  {split}: {sum(counts)} images, per class {counts}")
    for name, md5 in metadata["subset_md5_uncompressed"].items():
        size = (out / (name + ".gz")).stat().st_size
        lines.append(f"  {md5}  {name}  ({size} bytes gzipped)")
    return "\n".join(lines)


def main(argv=None):
    """Command-line entry point; returns the exit status (0 ok, 1 error)."""
    parser = argparse.ArgumentParser(
        description="Build the class-balanced MNIST subset (10,000 train, 2,000 test).",
        epilog="Relative paths are resolved against the repository root.")
    parser.add_argument("--source", default=DEFAULT_SOURCE,
                        help=f"folder with the full MNIST .gz files (default {DEFAULT_SOURCE})")
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"folder to write the subset into (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    source, out = resolve(args.source), resolve(args.out)
    try:
        metadata = build(source, out)
    except (OSError, ValueError) as exc:
        print(f"build_mnist_subset: error: {exc}", file=sys.stderr)
        return 1
    print(summary(out, metadata))
    return 0


if __name__ == "__main__":
    sys.exit(main())
