"""Briefing a folder of article files, resumably, on this machine or on Ray.

Modules: ``options`` (BatchOptions, the plan), ``discovery`` (finding files), ``records``
(the record and its one serialisation), ``urls`` (URL lists for ``--urls``), ``work``
(reading or fetching and briefing one article, shared by the engines), ``writer`` (the
records file, Markdown, CSV, leftovers), ``local`` and ``ray_engine`` (the engines),
``run`` (``summarize_folder``, its report and progress bar).
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
from .urls import read_url_list
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
    "read_url_list",
    "repair_records",
    "summarize_folder",
]
