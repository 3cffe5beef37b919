"""GTIN-8/12/13/14 and UPC-E: check digits and one comparable 14-digit form."""

from __future__ import annotations

from scanners.scan import CheckDigitError, UnrecognizedCode

GTIN_LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """GS1 mod-10 check digit for ``body`` (all digits except the check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def normalize_gtin(code: str, *, read: str | None = None) -> str:
    """Return ``code`` as a 14-digit GTIN after verifying its check digit.

    Odoo stores EAN-13 (13 digits) while GS1 element strings carry 14 digits
    with a leading zero; normalising both sides with this function makes them
    comparable.
    """
    read = code if read is None else read
    if not (code.isascii() and code.isdigit() and len(code) in GTIN_LENGTHS):
        raise UnrecognizedCode(read, "a GTIN of 8, 12, 13 or 14 digits", f"{len(code)} characters {code!r}")
    expected = check_digit(code[:-1])
    if int(code[-1]) != expected:
        raise CheckDigitError(
            read,
            f"a GTIN ending in the check digit {expected}",
            f"{code[-1]}",
            "The code is damaged or mistyped; scan it again or type it from the label.",
        )
    return code.zfill(14)


def upce_to_upca(upce: str) -> str:
    """Expand an 8-digit UPC-E (number system, 6 digits, check) to its 12-digit UPC-A."""
    system, d, check = upce[0], upce[1:7], upce[7]
    last = d[5]
    if last in "012":
        middle = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        middle = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        middle = d[0:4] + "00000" + d[4]
    else:
        middle = d[0:5] + "0000" + last
    return system + middle + check


def is_upce(code: str) -> bool:
    """Whether an 8-digit code is a valid UPC-E (number system 0 or 1, check digit right)."""
    if not (len(code) == 8 and code.isascii() and code.isdigit() and code[0] in "01"):
        return False
    upca = upce_to_upca(code)
    return check_digit(upca[:-1]) == int(upca[-1])


def is_restricted(gtin14: str) -> bool:
    """Whether a GTIN is a Restricted Circulation Number, unique only inside one company.

    RCN-8 start with 0 or 2; RCN-12/13 start with 02, 04 or 2.
    """
    if gtin14.startswith("000000"):
        return gtin14[6] in "02"
    return gtin14[0] == "0" and (gtin14[1] == "2" or gtin14[1:3] in ("02", "04"))
