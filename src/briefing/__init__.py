"""briefing: English news article → short English brief → faithful Chinese brief."""

from .batch import summarize_folder
from .errors import BriefingError, InputError, ModelNotFoundError
from .glossary import Glossary
from .pipeline import Brief, BriefOptions, Pipeline, get_pipeline, summarize
from .settings import ModelChoice

__version__ = "0.1.0"

__all__ = [
    "Brief",
    "BriefOptions",
    "BriefingError",
    "Glossary",
    "InputError",
    "ModelChoice",
    "ModelNotFoundError",
    "Pipeline",
    "get_pipeline",
    "summarize",
    "summarize_folder",
]
