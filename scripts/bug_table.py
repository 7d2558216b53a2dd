"""Write docs/bugs.md: the bug catalog with what each bug's mutant loses when graded.

    python scripts/bug_table.py            # grades the mutants (about 45 s on 2 cores)
    python scripts/bug_table.py --check    # exit 1 if docs/bugs.md is out of date

The mutants and the table's layout live in tests/mutants.py, next to the tests that
prove each diagnosis; this script only runs them and writes the result.
"""
import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from grader.task import load_task  # noqa: E402
from mutants import MUTANTS, grade_all, render_table  # noqa: E402

TABLE = ROOT / "docs" / "bugs.md"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with docs/bugs.md")
    parser.add_argument("--jobs", type=int, default=2, help="mutants graded at once (default 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        table = render_table(load_task("mlp").bugs, grade_all(MUTANTS, directory, jobs=args.jobs))
    if args.check:
        current = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
        print("docs/bugs.md is up to date" if current == table else "docs/bugs.md is out of date")
        return 0 if current == table else 1
    TABLE.write_text(table, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)} ({len(MUTANTS)} bugs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
