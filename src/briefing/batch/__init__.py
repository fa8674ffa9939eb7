"""Briefing a folder of article files, resumably, on this machine or on Ray.

Modules: ``options`` (BatchOptions, the plan), ``discovery`` (finding files), ``records``
(the record and its one serialisation), ``work`` (reading and briefing one file, shared by
the engines), ``writer`` (the records file, Markdown, CSV), ``local`` and ``ray_engine``
(the engines), ``run`` (``summarize_folder`` and its report).
"""

from ..settings import ModelChoice
from .discovery import FileTask, discover
from .options import (
    CSV_FILE,
    DEFAULT_PATTERNS,
    FORMATS,
    RECORDS_FILE,
    BatchOptions,
    BatchPlan,
)
from .records import BatchRecord, Loaded, Outcome, Prior
from .run import BatchFailure, BatchReport, summarize_folder
from .writer import confined_path, latest_records, read_records, repair_records

__all__ = [
    "CSV_FILE",
    "DEFAULT_PATTERNS",
    "FORMATS",
    "RECORDS_FILE",
    "BatchFailure",
    "BatchOptions",
    "BatchPlan",
    "BatchRecord",
    "BatchReport",
    "FileTask",
    "Loaded",
    "ModelChoice",
    "Outcome",
    "Prior",
    "confined_path",
    "discover",
    "latest_records",
    "read_records",
    "repair_records",
    "summarize_folder",
]
