"""Report writers: the typed report's JSON form (``schema``), JSON + CSV folders (``writer``), HTML."""

from vidtools.report.schema import to_json
from vidtools.report.writer import load_report, write_clip_report, write_json_atomic

__all__ = ["load_report", "to_json", "write_clip_report", "write_json_atomic"]
