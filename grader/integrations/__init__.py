"""Where courses grade: Gradescope's autograder bundle (gradescope.py builds it,
autograder.py is what its run_autograder runs); see docs/integrations.md."""
