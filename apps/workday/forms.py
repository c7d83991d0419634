from django import forms
from django.utils.translation import gettext_lazy as _

QUERY_MIN_LENGTH = 2
QUERY_MAX_LENGTH = 100


class ManagerClientSearchForm(forms.Form):
    """A client number, a pseudonym or a name: at least two characters, at most a hundred."""

    q = forms.CharField(
        label=_("Client number, pseudonym or name"),
        min_length=QUERY_MIN_LENGTH,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "required": _("Type a client number, a pseudonym or a name."),
            # The validators fill in the limit when the message is shown.
            "min_length": _("Type at least %(limit_value)d characters to search."),
            "max_length": _("A search can be at most %(limit_value)d characters long."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's own limit would cut a pasted text silently: the form says why instead.
        self.fields["q"].widget.attrs.pop("maxlength", None)
        self.fields["q"].widget.attrs.pop("minlength", None)
