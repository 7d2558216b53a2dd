"""The JSON report: ``Report.to_dict()`` as indented, deterministic JSON."""
import json


def render_json(report):
    return json.dumps(report.to_dict(), indent=2, allow_nan=False, default=str) + "\n"
