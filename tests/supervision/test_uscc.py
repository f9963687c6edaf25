from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ganzhi.supervision.uscc import (
    ALPHABET,
    USCCError,
    complete_uscc,
    is_valid_uscc,
    org_code_check_char,
    validate_uscc,
)

# Published examples: the GB 32100 sample code and a registered company's code.
KNOWN_VALID = ["91350100M000100Y43", "9144030071526726XG"]

prefixes = st.tuples(
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
).map("".join)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert validate_uscc(f"  {code.lower()} ") == code


def test_org_code_check_digit_examples() -> None:
    # GB 11714 worked example: D2143569 → check digit X; and the sample USCC's embedded M000100Y → 4.
    assert org_code_check_char("D2143569") == "X"
    assert org_code_check_char("M000100Y") == "4"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "expected 18 characters, got 17"),
        ("91350100M000100YI3", "character 17 is 'I'"),
        ("9135A100M000100Y43", "administrative division"),
        ("91350100M000100Y53", "character 17 (组织机构代码 check digit"),
        ("91350100M000100Y44", "character 18 (check character) is '4', expected '3'"),
    ],
)
def test_invalid_codes_name_the_problem(code: str, message: str) -> None:
    with pytest.raises(USCCError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_uscc(code)


@given(prefixes)
def test_completed_codes_validate(prefix: str) -> None:
    code = complete_uscc(prefix)
    assert len(code) == 18
    assert validate_uscc(code) == code


@given(prefixes, st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ-"))
def test_any_single_character_change_is_detected(prefix: str, position: int, replacement: str) -> None:
    code = complete_uscc(prefix)
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(mutated)
