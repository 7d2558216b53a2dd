"""Grading a whole class: ``grader run PATH... --out DIR``.

One idea per file, in the order a batch uses them:

- discover.py: command-line paths (files, folders, globs) -> the files to grade;
- identity.py: a file's place in its folder -> the student it belongs to (plain folders,
  Canvas, Moodle and Gradescope downloads);
- roster.py: ``--roster CSV`` -> names, emails, and who submitted nothing;
- duplicates.py: two files for one student -> the one graded, and the note that says so;
- records.py: what is kept of each finished submission in ``DIR/.grader/`` (to resume);
- grading.py: grading one submission in its own process and writing its files;
- run.py: the orchestration: N gradings at once, resume, retry, Ctrl-C;
- progress.py: a progress bar on a terminal, a line per submission otherwise;
- gradebook.py: ``grades.csv``; summary.py: ``summary.json`` and ``summary.txt``;
- command.py: ``grader run`` in batch mode, from parsed arguments to an exit code.
"""
