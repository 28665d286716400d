"""Pure scoring: clinic pages in, verdicts with evidence and a 0–100 score out.

Knows nothing of Scrapy, SQLite or Datasette.
"""

from scoring.criteria import CRITERIA, CRITERIA_BY_ID, Criterion
from scoring.identity import Identity, e164, extract_identity
from scoring.pages import Page
from scoring.practitioners import Practitioner, extract_practitioners, name_key
from scoring.scorer import POSITIVE_CRITERIA, Assessment, Verdict, assess

__all__ = [
    "CRITERIA",
    "CRITERIA_BY_ID",
    "POSITIVE_CRITERIA",
    "Assessment",
    "Criterion",
    "Identity",
    "Page",
    "Practitioner",
    "Verdict",
    "assess",
    "e164",
    "extract_identity",
    "extract_practitioners",
    "name_key",
]
