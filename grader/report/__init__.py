"""Reports: a readable terminal report and JSON for machines."""
from .json_report import render_json
from .text import render_text

RENDERERS = {"text": render_text, "json": render_json}

__all__ = ["RENDERERS", "render_json", "render_text"]
