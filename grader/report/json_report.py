"""The JSON report: ``Report.to_dict()`` (every text field clipped, see result.LIMITS) as
indented, deterministic JSON in ASCII, so it encodes anywhere."""
import json


def render_json(report):
    return json.dumps(report.to_dict(), indent=2, allow_nan=False, default=str) + "\n"
