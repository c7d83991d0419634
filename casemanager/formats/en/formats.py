"""English as it is written in Britain and the rest of Europe, not the United States: 21 Jul 2010
and 21/07/2010, a 24-hour clock, the week from Monday. Django's own "en" formats are American
(07/21/2010, 2:30 p.m.); these follow its en_GB formats, with the 24-hour clock of the Dutch
pages. ISO dates (2010-07-21) are always accepted as input as well."""

DATE_FORMAT = "j M Y"  # 21 Jul 2010
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j M Y, H:i"  # 21 Jul 2010, 14:30
YEAR_MONTH_FORMAT = "F Y"  # July 2010
MONTH_DAY_FORMAT = "j F"  # 21 July
SHORT_DATE_FORMAT = "d/m/Y"  # 21/07/2010
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 21/07/2010 14:30
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 21/07/2010
    "%d/%m/%y",  # 21/07/10
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
