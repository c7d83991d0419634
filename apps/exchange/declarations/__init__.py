"""Monthly declarations (JW323 / WMO323) and their answers (JW325 / WMO325)."""

from .answer import declaration_line_resolve, handle
from .draft import declaration_draft
from .figures import month_bounds, month_figures, whole_hours
from .send import declaration_file_errors, declaration_send, declaration_write

__all__ = [
    "declaration_draft",
    "declaration_file_errors",
    "declaration_line_resolve",
    "declaration_send",
    "declaration_write",
    "handle",
    "month_bounds",
    "month_figures",
    "whole_hours",
]
