"""Every refusal and funding code the rules can store on an activity is explained in words
(issue 15: every refusal reason is explained in Dutch and English, on the activity and in the
preview). A new code without a text in apps/funding/reasons.py fails here, before a user sees
a bare code.
"""

import re
from pathlib import Path

import pytest
from django.utils import translation

from apps.funding.reasons import funding_reason_text

ROOT = Path(__file__).resolve().parents[2]
# Where the funding decisions are made and their reasons written.
DECIDING = [*ROOT.glob("apps/funding/*.py"), *ROOT.glob("apps/trajectories/*.py")]
# Codes that never leave the function that makes them (a filter's verdict, not a reason).
INTERNAL = {"not_responsible"}
CODE = re.compile(r'"code": "([a-z0-9_]+)"')


def _codes() -> set[str]:
    found = set()
    for path in DECIDING:
        found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return found - INTERNAL


def test_the_rules_store_codes_at_all():
    assert {"assigned", "unfunded", "product_does_not_pay_kind", "volume_used"} <= _codes()


@pytest.mark.parametrize("code", sorted(_codes()))
def test_every_code_has_a_text_in_reasons(code):
    source = (ROOT / "apps/funding/reasons.py").read_text(encoding="utf-8")
    assert f'"{code}"' in source, f"{code} has no text in apps/funding/reasons.py"


def test_a_waiting_activitys_reason_reads_in_dutch():
    # The texts themselves are tested with each rule; here: a refusal inside the reason of a
    # waiting activity is rendered in the reader's language.
    reason = {
        "code": "unfunded",
        "refusals": [{"code": "not_active", "number": "JW-1"}],
    }
    with translation.override("nl"):
        text = funding_reason_text(reason)
    assert "JW-1" in text
    assert "not active" not in text
