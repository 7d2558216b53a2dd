"""The corpus a kit is recorded from and compared on: examples, catalog mutants, variants.

    python scripts/kit_corpus.py DIR        # writes DIR/<name>.py for every corpus file

tests/test_kit.py builds the mlp kit from these files and checks that the kit's self-check
gives every one of them the same points as ``grader check`` from the full installation.
"""
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import mutants  # noqa: E402  (tests/mutants.py: one mutant per catalog bug)

EXAMPLES = sorted((ROOT / "submissions").glob("*.py")) + sorted((ROOT / "submissions").glob("*.ipynb"))
VARIANTS = sorted((ROOT / "tests" / "variants").glob("*.py"))
STUBS = sorted((ROOT / "tests" / "stubs").glob("*.py"))


def write_corpus(folder):
    """Every corpus file into ``folder`` (flat, unique names) -> [paths]."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for group, files in (("example", EXAMPLES), ("variant", VARIANTS), ("stub", STUBS)):
        for path in files:
            target = folder / f"{group}_{path.name}"
            shutil.copy(path, target)
            paths.append(target)
    for mutant in mutants.MUTANTS:
        target = folder / f"mutant_{mutant.key}.py"
        target.write_text(mutant.source(), encoding="utf-8")
        paths.append(target)
    return paths


if __name__ == "__main__":
    for path in write_corpus(sys.argv[1]):
        print(path)
