"""The server's expression engine (elementpath's XPath 1.0 with the ODK functions): what it
refuses, and the edges the shared fixture does not reach."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from backend.surveys.xpath import (
    MAX_LENGTH,
    TZ,
    ExpressionError,
    Instance,
    add_node,
    as_string,
    evaluate,
    new_instance,
    number_text,
    parse,
)

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ)


def _instance() -> Instance:
    root = new_instance()
    add_node(root, "x", "3")
    member = add_node(root, "members", "")
    add_node(member, "age", "40")
    return Instance(root, root, NOW)


def value(text: str) -> str:
    return as_string(evaluate(parse(text), _instance()))


@pytest.mark.parametrize(("text", "code", "near"), [
    ("uuid()", "expression_function", "uuid()"),
    ("random() > 0.5", "expression_function", "random() > 0.5"),
    ("instance('towns')/root/item", "expression_function", "instance('towns')/root/item"),
    (". > ", "expression_syntax", ""),
    ("concat('a'", "expression_syntax", ""),
    ("round()", "expression_function", "round()"),
    ("if(1, 2)", "expression_function", "if(1, 2)"),
    ("name(.)", "expression_function", "name(.)"),
])
def test_what_the_phone_cannot_evaluate_is_refused_with_where(text, code, near):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.code == code
    assert caught.value.near.startswith(near)


def test_an_expression_is_bounded():
    with pytest.raises(ExpressionError) as caught:
        parse("1" + " + 1" * MAX_LENGTH)
    assert caught.value.code == "expression_too_long"
    with pytest.raises(ExpressionError) as caught:
        parse("(" * 1500 + "1" + ")" * 1500)
    assert caught.value.code in ("expression_too_deep", "expression_syntax")


def test_unary_minus_anywhere_and_curly_quotes():
    assert value("-/data/x") == "-3"
    assert value("-(1 + 2) * -/data/x") == "9"
    assert value("--/data/x") == "3"
    assert value("concat(“a”, ‘b’)") == "ab"


def test_a_calculation_written_into_the_instance_is_read_by_the_next_expression():
    instance = _instance()
    node = instance.root.find("x")
    assert as_string(evaluate(parse("/data/x * 2"), instance)) == "6"
    node.text = "5"
    assert as_string(evaluate(parse("/data/x * 2"), instance)) == "10"
    assert as_string(evaluate(parse(". * 2"), instance.at(node))) == "10"


def test_a_wrong_regex_or_date_format_is_an_error_not_a_crash():
    with pytest.raises(ExpressionError):
        evaluate(parse("regex('a', '[')"), _instance())
    with pytest.raises(ExpressionError):
        evaluate(parse("format-date(today(), '%Q')"), _instance())
    with pytest.raises(ExpressionError):
        evaluate(parse("count('a')"), _instance())


def test_the_elementpath_parser_is_left_as_it_was():
    """Our functions live in our own symbol table: elementpath's XPath 1.0 keeps its own."""
    from elementpath import XPath1Parser

    assert "selected" not in XPath1Parser.symbol_table
    assert XPath1Parser().parse("round(2.5)").evaluate() == 3


@pytest.mark.parametrize(("number", "text"), [
    (3.0, "3"), (-2.5, "-2.5"), (0.1 + 0.2, "0.30000000000000004"), (1e-7, "1e-7"),
    (0.000001, "0.000001"), (123456789012345678901.0, "123456789012345680000"),
    (1e21, "1e+21"), (-0.0, "0"), (math.nan, "NaN"), (-math.inf, "-Infinity"),
])
def test_numbers_are_written_as_javascript_writes_them(number, text):
    assert number_text(number) == text
