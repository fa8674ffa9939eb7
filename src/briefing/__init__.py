"""briefing: English news article → short English brief → faithful Chinese brief."""

from .article import ArticleTranslation
from .batch import summarize_folder
from .errors import BriefingError, InputError, ModelNotFoundError
from .fetch import WebArticle, fetch_article
from .glossary import Glossary
from .pipeline import Brief, BriefOptions, Pipeline, get_pipeline, summarize, translate
from .settings import ModelChoice

__version__ = "0.1.0"

__all__ = [
    "ArticleTranslation",
    "Brief",
    "BriefOptions",
    "BriefingError",
    "Glossary",
    "InputError",
    "ModelChoice",
    "ModelNotFoundError",
    "Pipeline",
    "WebArticle",
    "fetch_article",
    "get_pipeline",
    "summarize",
    "summarize_folder",
    "translate",
]
