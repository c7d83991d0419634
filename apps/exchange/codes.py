"""The code lists of the message traffic: message codes (COD002) and retour codes (WJ001).

Sources (iJw / iWmo release 3.2, Zorginstituut Nederland; read in the public copies of the code
lists "COD002-VEKT Berichtcode" and "WJ001 Retourcode" of iJw and iWmo 3.2): the message codes
below, and the retour codes with their Dutch descriptions and the rule (TR) they belong to.
The retour codes are the same in the iJw and the iWmo.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Standard

# COD002: BerichtCode per message.
MESSAGE_CODES: dict[str, str] = {
    "JW301": "436",
    "JW302": "437",
    "JW305": "438",
    "JW306": "439",
    "JW307": "440",
    "JW308": "441",
    "JW315": "446",
    "JW316": "447",
    "JW317": "486",
    "JW318": "487",
    "JW319": "488",
    "JW320": "489",
    "JW323": "490",
    "JW325": "491",
    "WMO301": "414",
    "WMO302": "415",
    "WMO305": "418",
    "WMO306": "419",
    "WMO307": "420",
    "WMO308": "421",
    "WMO315": "444",
    "WMO316": "445",
    "WMO317": "480",
    "WMO318": "481",
    "WMO319": "482",
    "WMO320": "483",
    "WMO323": "484",
    "WMO325": "485",
}

# The retour (answer) of each message that has one.
RETOUR_OF: dict[str, str] = {
    "301": "302",
    "305": "306",
    "307": "308",
    "315": "316",
    "317": "318",
    "319": "320",
    "323": "325",
}


# Which standard carries the messages of a contract's funding stream, and back.
STANDARD_OF_STREAM: dict[str, str] = {"jeugdwet": Standard.IJW, "wmo": Standard.IWMO}
STREAM_OF_STANDARD: dict[str, str] = {
    standard: stream for stream, standard in STANDARD_OF_STREAM.items()
}


def kind_for(standard: str, number: str) -> str:
    """JW301 for (iJw, 301), WMO301 for (iWmo, 301)."""
    return ("JW" if standard == Standard.IJW else "WMO") + number


def number_of(kind: str) -> str:
    """301 for JW301 and WMO301."""
    return kind[-3:]


# WJ001: retour codes, with the rule they belong to (TR) and the text in the user's language.
class Retour:
    TECHNICAL = "0001"
    NO_REMARK = "0200"
    NOT_ASSESSED = "0233"
    DUPLICATE_IDENTIFICATION = "9056"
    FUTURE_DATE = "8848"
    UNKNOWN_MUNICIPALITY = "S300"
    PRODUCT_NOT_IN_CATEGORY = "S329"


RETOUR_TEXTS: dict[str, object] = {
    "0001": _("The message was refused for technical reasons."),
    "0200": _("No remark about this part of the message."),
    "0233": _("This part of the message was not assessed."),
    "0611": _("The tariff claimed differs from the tariff in the contract (TR418)."),
    "8001": _("The declaration was accepted in full."),
    "8017": _("No debit line is known for this credit line (TR323)."),
    "8021": _("This line's reference number was submitted before (TR314)."),
    "8187": _("The line does not belong to this client (TR304)."),
    "8214": _(
        "The declaration period is not the calendar month after the previous declaration period "
        "while care was delivered in every period (TR318)."
    ),
    "8848": _("The message's date (dagtekening) must be on or before today (TR135)."),
    "9019": _("The message cannot be linked to an allocation (TR019)."),
    "9056": _("The identification must be unique per message kind for the sender (TR056)."),
    "9063": _("The message cannot be processed: no earlier message was received (TR063)."),
    "9069": _("There is no current start message with the same key (TR069)."),
    "9071": _("The earlier start message cannot be removed: the care has already ended (TR071)."),
    "9074": _("A message with the same key was received before (TR074)."),
    "9307": _("The line's start date is not within the allocation's validity (TR307)."),
    "9308": _("The line's end date is not within the allocation's validity (TR308)."),
    "9319": _("The product period does not lie wholly within one declaration period (TR319)."),
    "9321": _("The volume claimed exceeds the volume allocated (TR321)."),
    "9322": _("The sum of the volumes claimed exceeds the volume allocated (TR322)."),
    "9326": _("The current delivery has not yet been stopped with a stop message (TR326)."),
    "9332": _("The allocation number is not unique within the legal domain (TR332)."),
    "9333": _("The declaration number is not unique (TR333)."),
    "9338": _("Not every line of the declaration is related to an allocated product (TR338)."),
    "9339": _("The line's product category differs from the allocated product's (TR339)."),
    "9340": _("The line's product code differs from the allocated product's (TR340)."),
    "9341": _("The line's unit does not fit the allocated product's unit (TR341)."),
    "9346": _("The amount claimed is not the volume delivered times the product tariff (TR346)."),
    "9347": _("The provider's reference is not unique within the legal domain (TR347)."),
    "9349": _("The change request does not hold all of the client's current allocations (TR349)."),
    "9350": _("An unchanged product is not related to a current allocation (TR350)."),
    "9351": _("A product to change is not related to a current allocation (TR351)."),
    "9355": _("The provider's reference in the answer was not in an earlier request (TR355)."),
    "9357": _(
        "The requested start date is on or before the message's date but differs from the start "
        "of the original allocation (TR357)."
    ),
    "9359": _("An allocation was sent before with this provider's reference (TR359)."),
    "9360": _(
        "An answer with this provider's reference said before that the request is being "
        "investigated (TR360)."
    ),
    "9361": _("The product occurs more than once with overlapping periods (TR361)."),
    "9365": _("An answer with the same provider's reference was received before (TR365)."),
    "9366": _("The product reference does not occur in a declaration (TR366)."),
    "9367": _(
        "The value differs from the one in the original message with the same reference (TR367)."
    ),
    "9369": _("The volumes delivered do not fit within the allocated budget (TR369)."),
    "9373": _(
        "The budget changed, but the requested start date differs from the allocation's (TR373)."
    ),
    "9374": _("A request is already being handled (TR374)."),
    "9375": _("A size is given while the allocation names no product (TR375)."),
    "9379": _("The provider's reference does not refer to a request (TR379)."),
    "9384": _("A line claims on an allocation that was removed, reason 13 (TR384)."),
    "9385": _("The allocation has accepted declaration lines (TR385)."),
    "9387": _(
        "The product period does not start on the first of the month while the allocation "
        "starts no later in that month (TR387)."
    ),
    "9388": _(
        "The product period does not end on the last of the month while the allocation ends "
        "no earlier in that month (TR388)."
    ),
    "9389": _("This line's debit has no matching credit line (TR389)."),
    "9390": _("A credit line with the same product reference exists already (TR390)."),
    "9411": _("No size is given while the allocation names a product (TR411)."),
    "9412": _("A size is given while the allocation names no product (TR412)."),
    "9413": _("Another stop with the same key and reason 20 exists already (TR413)."),
    "9414": _("The end date is before the end date of the current stop with the same key (TR414)."),
    "9415": _("A stop with the same key and another reason exists already (TR415)."),
    "S300": _("The municipality code is not in the CBS list (TR378)."),
    "S329": _("The product code does not belong to the product category (TR381)."),
}


def retour_text(code: str) -> str:
    """A retour code explained in the active language; an unknown code says so."""
    text = RETOUR_TEXTS.get(code)
    if text is None:
        return str(_("Retour code %(code)s (not in this system's list of WJ001).") % {"code": code})
    return str(text)


def retour_outcome(codes: list[str], path: str) -> list[dict]:
    """A message's outcome entries for retour codes about one element (``Message.outcome``)."""
    return [{"code": code, "text": retour_text(code), "path": path} for code in codes]
