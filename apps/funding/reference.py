"""The iJw/iWmo code lists of fixtures/reference/codelists.json, read once."""

import json
from functools import cache
from pathlib import Path

CODELISTS = Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "codelists.json"
CATEGORY_LISTS = {"JZ020": "jeugdwet_product_categories", "WMO020": "wmo_product_categories"}


@cache
def _codelists() -> dict:
    return json.loads(CODELISTS.read_text(encoding="utf-8"))


def product_categories(code_list: str) -> dict[str, str]:
    """Category code -> Dutch name for a code list named by a stream (JZ020, WMO020)."""
    key = CATEGORY_LISTS.get(code_list)
    if key is None:
        return {}
    return {entry["code"]: entry["name_nl"] for entry in _codelists()[key]["codes"]}
