"""The exchange's forms."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import MessageStatus
from .xml import MAX_MESSAGE_BYTES

# At most this many files in one upload (the transport takes any number).
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_MB = MAX_MESSAGE_BYTES // (1024 * 1024)


def upload_too_large(content_length: int) -> bool:
    """Whether a request body is larger than the largest upload allowed: refused before it is
    read (the form's limit per file is checked on the size the upload reports)."""
    return content_length > MAX_UPLOAD_FILES * MAX_MESSAGE_BYTES + 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MessageFilesField(forms.FileField):
    """One or more files; each is checked on its name and reported size, never read here."""

    widget = MultipleFileInput(attrs={"accept": ".xml,application/xml,text/xml"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Choose one or more message files."), code="required")
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                ngettext(
                    "Upload at most %(count)d file at a time.",
                    "Upload at most %(count)d files at a time.",
                    MAX_UPLOAD_FILES,
                )
                % {"count": MAX_UPLOAD_FILES},
                code="too_many",
            )
        return [self._one(file) for file in files]

    def _one(self, file: UploadedFile) -> UploadedFile:
        name = file.name or ""
        if not name.lower().endswith(".xml"):
            raise forms.ValidationError(
                _("%(name)s is not an XML file (a message file ends in .xml).") % {"name": name},
                code="not_xml",
            )
        if file.size > MAX_MESSAGE_BYTES:
            raise forms.ValidationError(
                _("%(name)s is larger than %(mb)s MB: it cannot be a message.")
                % {"name": name, "mb": MAX_UPLOAD_MB},
                code="too_large",
            )
        return file


class MessageUploadForm(forms.Form):
    files = MessageFilesField(label=_("Message files"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "One or more .xml files of at most %(mb)s MB each, %(count)s at most."
        ) % {"mb": MAX_UPLOAD_MB, "count": MAX_UPLOAD_FILES}

    def contents(self) -> list[tuple[str, bytes]]:
        """(name, bytes) of each file, read only after every file passed the checks."""
        return [(file.name, file.read()) for file in self.cleaned_data["files"]]


class MessageFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Message"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *MessageStatus.choices],
    )
    funder = forms.ModelChoiceField(
        label=_("Municipality"), required=False, queryset=None, empty_label=_("All")
    )

    def __init__(self, *args, kinds, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All messages"))] + [(k, k) for k in kinds]
        self.fields["funder"].queryset = funders
