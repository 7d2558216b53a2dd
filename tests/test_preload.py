"""Heavy libraries a submission imports are imported once, in the zygote (no student code
runs there), and the folder they may write (matplotlib's cache) is no channel between
sessions: each session covers it with its own empty tmpfs."""
from grader.worker import Worker

SOURCE = '''import os
import matplotlib
import matplotlib.pyplot as plt

def leave(text):
    path = os.path.join(matplotlib.get_configdir(), "note.txt")
    with open(path, "w") as f:
        f.write(text)
    return sorted(os.listdir(matplotlib.get_configdir()))

def find():
    return sorted(os.listdir(matplotlib.get_configdir()))

def preloaded():
    import sys
    return [plt.get_backend(), "matplotlib.pyplot" in sys.modules]
'''


def test_matplotlib_is_preloaded_and_its_cache_folder_is_fresh_in_every_session():
    with Worker(SOURCE, "student.py", range(6)) as worker:
        assert worker.start()["failures"] == []
        assert worker.call("preloaded") == ["Agg", True]
        assert "note.txt" in worker.call("leave", "from the first check")
        assert "note.txt" not in worker.call("find")          # another session: nothing left
