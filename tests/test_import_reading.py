"""Reading spreadsheets people actually have: encodings, delimiters, headers, cells."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import Invalid
from app.forms import parse_money
from app.spreadsheets import values as iv
from app.spreadsheets.imports import guess_mapping


@pytest.mark.parametrize(
    "data",
    [
        "\ufeffName;Cost\r\nCafé;£5\r\n".encode(),  # UTF-8 with BOM, semicolons (Excel, Europe)
        "Name;Cost\r\nCafé;£5\r\n".encode("cp1252"),  # Windows-1252
        "Name\tCost\r\nCafé\t£5\r\n".encode("utf-16"),  # Excel's "Unicode text"
        b"Name,Cost\nCaf\xc3\xa9,\xc2\xa35\n",  # plain UTF-8, commas
    ],
)
def test_encodings_and_delimiters(data):
    table = iv.read_table(data)
    assert table.headers == ["Name", "Cost"]
    assert table.rows == [(2, ["Café", "£5"])]


def test_delimiter_is_not_fooled_by_commas_inside_cells():
    table = iv.read_table(b"Name;Notes\nDrill;red, heavy\n")
    assert table.delimiter == ";" and table.rows[0][1] == ["Drill", "red, heavy"]


def test_header_row_found_below_a_title():
    table = iv.read_table(b"Asset list March\n\nAsset Tag,Item Name\nT1,Drill\n")
    assert table.headers == ["Asset Tag", "Item Name"]
    assert table.rows == [(4, ["T1", "Drill"])]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "workbook"),
        (b"\x00\x01\x02\x03binary\x00", "binary"),
        (b"Name,Serial\n", "no rows"),
        (b'Name,Notes\nDrill,"unclosed\n', "not valid CSV"),
    ],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(Invalid) as caught:
        iv.read_table(data)
    assert message in caught.value.errors["file"]


def test_other_systems_headers_map_to_our_fields():
    headers = [
        "Asset Tag",
        "Item Name",
        "Serial",
        "Model No.",
        "Category",
        "Manufacturer",
        "Location",
        "Purchase Date",
        "Purchase Cost",
        "Supplier",
        "Order Number",
        "Warranty",
        "Status",
        "Notes",
        "Checked Out To",
        "Something else",
    ]
    assert guess_mapping(headers) == [
        "tag",
        "name",
        "serial",
        "model_number",
        "category",
        "manufacturer",
        "location",
        "purchase_date",
        "cost_cents",
        "supplier",
        "order_number",
        "warranty_end",
        "status",
        "notes",
        "holder",
        "",
    ]
    assert guess_mapping(["  NAME ", "model", "Name"]) == ["name", "model_name", ""]


@pytest.mark.parametrize(
    "text, cents",
    [
        ("£1,234.50", 123450),
        ("1.234,50 €", 123450),
        ("$1234", 123400),
        ("EUR 12,5", 1250),
        ("1 234,56", 123456),
        ("1,234", 123400),
        ("0.99", 99),
        ("1,000,000.00", 100000000),
        ("1.999", 199900),  # one mark with three digits after it groups thousands
    ],
)
def test_costs(text, cents):
    assert iv.parse_cost(text) == cents
    if text == "1.999":  # a person typing this into a form is asked, not guessed for
        with pytest.raises(ValueError, match="more than two decimal places"):
            parse_money(text)
    else:
        assert parse_money(text) == cents  # the asset form reads an amount the same way


@pytest.mark.parametrize("text", ["$12 USD", "12,00 €", "CHF 12.00", "12", "R$ 12,00", "US$12"])
def test_a_cost_with_its_currency_before_after_or_both(text):
    assert iv.parse_cost(text) == parse_money(text) == 1200


@pytest.mark.parametrize(
    "text",
    [
        "-5",
        "abc",
        "1.2.3,4,5x",
        "12.345.6",
        "1,2,3",
        "12.",
        "0.123",
        "12o",
        "kr kr",
        "LAP-0",
        "1e10",
    ],
)
def test_bad_costs(text):
    with pytest.raises(ValueError):
        iv.parse_cost(text)
    with pytest.raises(ValueError):
        parse_money(text)


def test_dates():
    assert iv.parse_date("2024-03-31", None) == date(2024, 3, 31)
    assert iv.parse_date("2024-03-31 00:00:00", None) == date(2024, 3, 31)
    assert iv.parse_date("03/04/2024", "dmy") == date(2024, 4, 3)
    assert iv.parse_date("03/04/2024", "mdy") == date(2024, 3, 4)
    assert iv.parse_date("3.4.24", "dmy") == date(2024, 4, 3)
    assert iv.parse_date("5 Jan 2024", None) == date(2024, 1, 5)
    assert iv.parse_date("Jan 5, 2024", None) == date(2024, 1, 5)
    with pytest.raises(ValueError, match="choose the order"):
        iv.parse_date("03/04/2024", None)
    with pytest.raises(ValueError, match="not a real date"):
        iv.parse_date("31/02/2024", "dmy")


def test_date_order_from_the_whole_column():
    assert iv.date_order_evidence(["01/02/2024", "25/12/2024"]) == {"dmy"}
    assert iv.date_order_evidence(["01/02/2024", "12/25/2024"]) == {"mdy"}
    assert iv.date_order_evidence(["01/02/2024", "03/04/2024"]) == {"dmy", "mdy"}
    assert iv.date_order_evidence(["2024-01-02"]) == set()


def test_status_words_and_codes():
    assert iv.parse_status("Checked out") == "checked_out"
    assert iv.parse_status("in_repair") == "in_repair"
    assert iv.parse_status("Ready to Deploy") == "available"
    with pytest.raises(ValueError):
        iv.parse_status("on the moon")
    assert iv.as_code("abc-123") == "ABC123"
    assert iv.as_code("LAP-001") is None  # not read as 1AP001
    assert iv.location_path("HQ > Floor 2 › Room 5") == ["HQ", "Floor 2", "Room 5"]
