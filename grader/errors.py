"""Errors a user's input can cause, each with a one-line message for the user."""


class SubmissionError(Exception):
    """The file cannot be graded at all; the message is one line for the user."""
