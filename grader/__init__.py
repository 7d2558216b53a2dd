"""grader: grade 'neural network from scratch in numpy' assignments.

Layout: submission.py reads a student's file and decides what may run; worker/ runs it
in a separate process; task.py and inputs.py read a task file; checks/ holds the check
kinds; engine.py runs them with pytest; grade.py ties it together; report/ renders.
"""
__version__ = "0.1.0"
