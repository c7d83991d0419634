import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn as stdnum_bsn


def bsn_passes_eleven_test(bsn: str) -> bool:
    """The BSN's eleven-test (python-stdnum's nl.bsn), on the nine digits as stored: python-stdnum
    would also take spaces, dots or eight digits padded with a zero, which a stored BSN never
    has, and it lets 000000000 pass the test, which is no one's BSN."""
    return len(bsn) == 9 and bsn.isdigit() and bsn != "000000000" and stdnum_bsn.is_valid(bsn)


def validate_bsn(value: str) -> None:
    if not bsn_passes_eleven_test(value):
        raise ValidationError(
            _("This is not a valid BSN: it needs 9 digits that pass the eleven-test."),
            code="invalid_bsn",
        )


def validate_cbs_code(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(
            _("A CBS municipality code has 4 digits, for example 0363."), code="invalid_cbs_code"
        )


# A Dutch postcode: four digits (the first not 0), then two letters; PostNL never gives the
# letter pairs SA, SD and SS.
POSTCODE_PATTERN = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")


def postcode_normalise(value: str) -> str:
    """ "1234ab" and "1234 AB" are the same postcode: stored as "1234 AB"."""
    compact = value.replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else value.strip().upper()


def validate_postcode(value: str) -> None:
    if not POSTCODE_PATTERN.match(value.upper()):
        raise ValidationError(
            _("A Dutch postcode has four digits and two letters, for example 3511 AB."),
            code="invalid_postcode",
        )


def validate_agb_code(value: str) -> None:
    """An AGB code (Vektis): eight digits."""
    if len(value) != 8 or not value.isdigit():
        raise ValidationError(_("An AGB code has eight digits."), code="invalid_agb_code")
