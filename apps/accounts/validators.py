from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

agb_code_validator = RegexValidator(
    regex=r"^\d{8}$",
    message=_("An AGB code has exactly 8 digits, for example 73730123."),
    code="invalid_agb_code",
)
