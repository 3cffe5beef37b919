"""Scanner errors in the user's language. `scanners` imports nothing of ours and words its errors in English
(what was read, what was expected, what was found); they are translated here, where they are shown, by kind."""
from flask_babel import LazyString, get_locale, lazy_gettext

from scanners.scan import (
    AmbiguousCode,
    CheckDigitError,
    ImageError,
    InvalidGS1,
    InvalidHIBC,
    ScanError,
    UnrecognizedCode,
    shown,
)

# Most specific first; each sentence says what to do, with %(read)s the text that was read.
KIND_SENTENCES: tuple[tuple[type[ScanError], LazyString], ...] = (
    (ImageError, lazy_gettext("This photo cannot be used: it is empty, damaged, too large or not a photo. Take the photo again.")),
    (AmbiguousCode, lazy_gettext("Read %(read)s: it can be read more than one way (a separator is missing), so it is refused rather "
                                 "than guessed. Set the scanner up to send separators (Scanner setup), or type the fields.")),
    (CheckDigitError, lazy_gettext("Read %(read)s: its check digit does not match. Scan it again; if it fails again, the label is "
                                   "damaged or misprinted.")),
    (InvalidGS1, lazy_gettext("Read %(read)s: it breaks the GS1 rules (an unknown field, a wrong date, length or character). "
                              "Scan it again, or check the label.")),
    (InvalidHIBC, lazy_gettext("Read %(read)s: it breaks the HIBC rules. Scan it again, or check the label.")),
    (UnrecognizedCode, lazy_gettext("Read %(read)s: this is not a code Wardstock knows (GS1, HIBC, EAN/UPC, location, badge or "
                                    "two-bin card).")),
    (ScanError, lazy_gettext("Read %(read)s: this code cannot be used. Scan it again, or check the label.")),
)


def scan_error_message(error: ScanError) -> str:
    """In English, the scanner's own sentence (it names what was expected and found); in another language,
    the sentence for the error's kind, with what was read."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return str(error)
    sentence = next(sentence for kind, sentence in KIND_SENTENCES if isinstance(error, kind))
    return str(sentence) % {"read": shown(error.read)}
