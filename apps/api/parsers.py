"""The API's JSON parser: REST framework's, with limits on what a body may be.

A body is read only up to API_BODY_MAX_BYTES (413 beyond), and its nesting is counted before
it is parsed, without recursion: Python's json module recurses once per level, so a body of
50,000 opening brackets would otherwise crash the request (RecursionError) instead of being
refused. No request of this API nests deeper than a few levels.
"""

import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status
from rest_framework.parsers import get_encoding
from rest_framework.utils import json

MAX_DEPTH = 32  # arrays and objects inside each other

# A JSON string with its escapes, or an unterminated one to the end. Possessive: it never
# backtracks, so that the whole text is read in linear time, whatever it holds.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it.

    Strings are left out first, so that brackets inside them do not count. For a text that is
    not valid JSON this is at least the depth a parser reaches before it finds the error.
    """
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    """JSON with a size limit (413) and a nesting limit (400, ``parse_error``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.API_BODY_MAX_BYTES
        request = parser_context.get("request")
        if request is not None and _content_length(request.META) > limit:
            raise RequestTooLarge()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge()
        encoding = get_encoding(parser_context)
        try:
            text = body.decode(encoding)
            if json_depth(text) > MAX_DEPTH:
                raise exceptions.ParseError(
                    _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
                )
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as error:  # also a body that is not text in its encoding
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


def _content_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
