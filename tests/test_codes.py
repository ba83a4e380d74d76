"""Short codes: generation and the normalisation of what people type."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app import codes

code_strategy = st.text(alphabet=codes.ALPHABET, min_size=6, max_size=6)
# What a person might do to a code: change case, add spaces and hyphens.
noise = st.sampled_from(["", " ", "-", "  ", " - "])


def test_generated_codes_are_valid_and_varied():
    """Codes are six Crockford characters, random rather than sequential."""
    made = {codes.generate() for _ in range(500)}
    assert all(codes.is_valid(c) for c in made)
    assert len(made) > 490
    assert not any(ch in "ILOU" for c in made for ch in c)


@given(
    code_strategy,
    st.lists(noise, min_size=7, max_size=7),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_case_spaces_and_hyphens_are_ignored(code, gaps, lower):
    """Any mix of case, spaces and hyphens around the characters reads back the same code."""
    typed = gaps[0] + "".join(
        (ch.lower() if low else ch) + gap
        for ch, low, gap in zip(code, lower, gaps[1:], strict=True)
    )
    assert codes.parse(typed) == code


@given(code_strategy)
def test_o_reads_as_zero_and_i_l_as_one(code):
    """Letters people confuse with digits are read as the digits."""
    typed = code.replace("0", "O").replace("1", "I")
    assert codes.parse(typed) == code
    assert codes.parse(code.replace("1", "l")) == code


@given(st.text(max_size=20))
def test_normalise_is_idempotent_and_parse_only_returns_valid_codes(text):
    """Normalising twice changes nothing; parse never returns a bad code."""
    once = codes.normalise(text)
    assert codes.normalise(once) == once
    parsed = codes.parse(text)
    assert parsed is None or codes.is_valid(parsed)


@given(code_strategy)
def test_pretty_form_parses_back(code):
    """The printed form with a hyphen is typed back to the same code."""
    assert codes.parse(codes.pretty(code)) == code


def test_wrong_lengths_and_letters_are_rejected():
    """U, punctuation and the wrong length are never codes."""
    for typed in ["", "ABC12", "ABC1234", "ABCU12", "AB$123", "ÄBC123"]:
        assert codes.parse(typed) is None, typed
