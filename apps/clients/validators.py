from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def bsn_passes_eleven_test(bsn: str) -> bool:
    """The BSN's eleven-test: 9 digits, weights 9..2 and -1, the sum divisible by 11."""
    if len(bsn) != 9 or not bsn.isdigit() or bsn == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(digit) * weight for digit, weight in zip(bsn, weights, strict=True)) % 11 == 0


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
