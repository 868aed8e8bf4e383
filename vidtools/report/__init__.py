"""Report writers: JSON + CSV (``writer``), HTML."""

from vidtools.report.writer import load_report, write_clip_report, write_json_atomic

__all__ = ["load_report", "write_clip_report", "write_json_atomic"]
