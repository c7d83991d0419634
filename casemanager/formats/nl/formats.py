"""Dutch dates as dd-mm-jjjj (Django's own Dutch format drops the leading zeros: 1-8-2025);
the rest of Django's Dutch formats stay as they are."""

SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
