"""统一社会信用代码 (Unified Social Credit Code) validation, check digits included.

GB 32100-2015: 18 characters from the alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z):
1 registration-authority code, 1 entity-type code, 6 digits of administrative division, the 9-char
组织机构代码 (GB 11714: 8 body characters + its own check character), and a final check character
``31 − (Σ value·weight mod 31)`` (31 → 0) over the first 17. A typo in any single character changes
one of the two sums, so both check characters are verified: an enterprise registered with a
mistyped code would never match the regulator's lists.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18

#: GB 11714 organisation code: weights of the 8 body characters, modulus 11.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_LENGTH = 9
_ORG_BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_VALUES = {char: index for index, char in enumerate(ALPHABET)}


class USCCError(ValueError):
    """A code is not a valid 统一社会信用代码; the message names the code, the position and the problem."""


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a code."""
    if len(first17) != USCC_LENGTH - 1:
        raise USCCError(f"USCC body {first17!r}: expected 17 characters, got {len(first17)}")
    total = 0
    for position, (char, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        value = _VALUES.get(char)
        if value is None:
            raise USCCError(f"USCC {first17!r}: character {position} is {char!r}, expected one of {ALPHABET}")
        total += value * weight
    check = 31 - total % 31
    return ALPHABET[0 if check == 31 else check]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character for an 8-character 组织机构代码 body ('X' stands for 10)."""
    if len(body8) != ORG_LENGTH - 1:
        raise USCCError(f"organisation code body {body8!r}: expected 8 characters, got {len(body8)}")
    total = 0
    for position, (char, weight) in enumerate(zip(body8, ORG_WEIGHTS, strict=True), start=1):
        value = _ORG_BODY_CHARS.find(char)
        if value < 0:
            raise USCCError(f"organisation code {body8!r}: character {position} is {char!r}, expected 0-9 or A-Z")
        total += value * weight
    check = 11 - total % 11
    if check == 10:
        return "X"
    return "0" if check == 11 else str(check)


def normalise_uscc(code: str) -> str:
    """Strip surrounding whitespace and upper-case; what users paste often has both."""
    return code.strip().upper()


def validate_uscc(code: str) -> str:
    """Return the normalised code, or raise `USCCError` naming the first problem found.

    Checks, in order: length, alphabet, the 6-digit administrative division, the embedded
    组织机构代码 check character (position 17) and the final check character (position 18).
    """
    value = normalise_uscc(code)
    if len(value) != USCC_LENGTH:
        raise USCCError(f"USCC {code!r}: expected {USCC_LENGTH} characters, got {len(value)}")
    for position, char in enumerate(value, start=1):
        if char not in _VALUES:
            raise USCCError(f"USCC {code!r}: character {position} is {char!r}, expected one of {ALPHABET}")
    division = value[2:8]
    if not division.isdigit():
        raise USCCError(f"USCC {code!r}: characters 3-8 (administrative division) must be digits, got {division!r}")
    org = value[8:17]
    expected_org = org_code_check_char(org[:8])
    if org[8] != expected_org:
        raise USCCError(
            f"USCC {code!r}: character 17 (组织机构代码 check digit of {org!r}) is {org[8]!r}, "
            f"expected {expected_org!r}"
        )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise USCCError(f"USCC {code!r}: character 18 (check character) is {value[17]!r}, expected {expected!r}")
    return value


def is_valid_uscc(code: str) -> bool:
    """True when `validate_uscc` accepts the code."""
    try:
        validate_uscc(code)
    except USCCError:
        return False
    return True


def complete_uscc(first16: str) -> str:
    """A valid code from its first 16 characters: appends both check characters.

    Used to make demo enterprises with codes that pass validation (the demo data is fictional).
    """
    body = normalise_uscc(first16)
    if len(body) != USCC_LENGTH - 2:
        raise USCCError(f"USCC prefix {first16!r}: expected 16 characters, got {len(body)}")
    org_check = org_code_check_char(body[8:16])
    if org_check not in _VALUES:
        raise USCCError(f"USCC prefix {first16!r}: organisation check {org_check!r} is outside the USCC alphabet")
    first17 = body + org_check
    return first17 + uscc_check_char(first17)
