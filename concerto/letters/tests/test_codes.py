"""Invitation codes: alphabet, entropy, check character and what residents are told about typos."""

import itertools
import math

import pytest

from concerto.letters.codes import (
    ALPHABET,
    DATA_LENGTH,
    LENGTH,
    check_character,
    format_code,
    is_valid_check,
    new_code,
    parse_code,
)
from concerto.letters.errors import CodeError

SAMPLE = "K7QM4XPT9"


@pytest.fixture
def code():
    return SAMPLE + check_character(SAMPLE)


def test_alphabet_has_no_lookalikes_and_a_prime_size():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("0O1IL") & set(ALPHABET)
    assert all(31 % d for d in range(2, 31))


def test_at_least_forty_bits():
    assert DATA_LENGTH * math.log2(len(ALPHABET)) >= 40
    assert LENGTH == 10


def test_new_codes_are_canonical_valid_and_different():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for c in codes:
        assert len(c) == 10 and set(c) <= set(ALPHABET) and is_valid_check(c)
        assert parse_code(c) == c


def test_format_groups_4_4_2_and_parse_back(code):
    shown = format_code(code)
    assert shown == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert parse_code(shown) == code


@pytest.mark.parametrize("typed", [
    "{a}-{b}-{c}", "{a} {b} {c}", "{a}.{b}.{c}", "{a}_{b}_{c}", "  {a}{b}{c}  ", "{a}\u00a0{b}\u00a0{c}",
])
def test_parse_accepts_lower_case_and_separators(code, typed):
    text = typed.format(a=code[:4], b=code[4:8], c=code[8:]).lower()
    assert parse_code(text) == code


def test_every_single_substitution_is_caught_by_brute_force(code):
    """All 10 positions × 30 other symbols: none passes the check (31 is prime, weights 1..10 < 31)."""
    caught = 0
    for position in range(LENGTH):
        for symbol in ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1:]
            with pytest.raises(CodeError) as err:
                parse_code(typo)
            assert err.value.reason == "check"
            caught += 1
    assert caught == LENGTH * 30


def test_every_adjacent_transposition_is_caught_for_every_pair_of_symbols():
    """Exhaustive over positions and ordered symbol pairs, with random surroundings made valid."""
    for position in range(LENGTH - 1):
        for a, b in itertools.permutations(ALPHABET, 2):
            # Build a valid code with a, b at position, position+1 (the check character may be one of them).
            data = list("23456789A")
            if position + 1 < DATA_LENGTH:
                data[position], data[position + 1] = a, b
                canonical = "".join(data) + check_character("".join(data))
            else:  # swapping the last data character with the check character
                # Find data whose last symbol is a and whose check character is b.
                canonical = None
                for filler in ALPHABET:
                    candidate = "".join(data[:-2]) + filler + a
                    if check_character(candidate) == b:
                        canonical = candidate + b
                        break
                assert canonical is not None
            assert is_valid_check(canonical)
            swapped = canonical[:position] + canonical[position + 1] + canonical[position] + canonical[position + 2:]
            assert not is_valid_check(swapped), (canonical, position)


def test_every_single_substitution_is_caught_on_many_random_codes():
    for _ in range(200):
        c = new_code()
        for position in range(LENGTH):
            for symbol in ALPHABET.replace(c[position], ""):
                assert not is_valid_check(c[:position] + symbol + c[position + 1:])


@pytest.mark.parametrize("char", ["0", "O", "1", "I", "L", "o", "i", "l"])
def test_lookalikes_are_refused_with_their_own_reason(code, char):
    typed = code[:3] + char + code[4:]
    with pytest.raises(CodeError) as err:
        parse_code(typed)
    assert err.value.reason == "characters"
    assert _quoted(char.upper(), err.value.message)
    assert "O, I" in str(err.value.message) and "0" in str(err.value.message)


def test_other_characters_are_named(code):
    with pytest.raises(CodeError) as err:
        parse_code(code[:5] + "é" + code[6:])
    assert err.value.reason == "characters" and _quoted("É", err.value.message)


def _quoted(char, message) -> bool:
    """The character is named between quotes, English “X” or French « X »."""
    message = str(message).replace("\u00a0", " ")
    return f"“{char}”" in message or f"« {char} »" in message


@pytest.mark.parametrize("typed, reason", [
    ("", "empty"), ("  - - ", "empty"), (None, "empty"),
    ("ABCD", "length"), ("ABCD-EFGH-JKM", "length"),
])
def test_empty_and_length(typed, reason):
    with pytest.raises(CodeError) as err:
        parse_code(typed)
    assert err.value.reason == reason
    assert (err.value.code, err.value.status) == (f"code_{reason}", 400)


def test_length_message_gives_both_counts():
    with pytest.raises(CodeError) as err:
        parse_code("ABCD-EFG")
    assert "10" in str(err.value.message) and "7" in str(err.value.message)
