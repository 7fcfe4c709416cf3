"""The MySQL dump reader: every syntax form dumps use, streaming, decoding and bad dumps.

The dumps here are written for these tests; the eFiction fixtures are reused as real
mysqldump and phpMyAdmin output."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanarchive.lib import sqldump
from fanarchive.lib.sqldump import DumpReader, SqlDumpError, decode_value, read_dump

FIXTURES = Path(__file__).parents[2] / "ingest" / "tests" / "fixtures" / "efiction"


def rows(dump: str | bytes, **options: object) -> list[tuple[str, dict]]:
    data = dump.encode("utf-8") if isinstance(dump, str) else dump
    return [(row.table, row.values) for row in read_dump(io.BytesIO(data), **options)]


def values(dump: str | bytes, **options: object) -> list[dict]:
    return [row for _, row in rows(dump, **options)]


def error(dump: str | bytes, **options: object) -> SqlDumpError:
    with pytest.raises(SqlDumpError) as caught:
        rows(dump, **options)
    return caught.value


TABLE = """\
CREATE TABLE `t` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `name` varchar(20) NOT NULL DEFAULT 'a, b (c); d',
  `data` blob,
  PRIMARY KEY (`id`),
  UNIQUE KEY `by_name` (`name`(10), `id`),
  CONSTRAINT `c1` CHECK (`id` > 0)
) ENGINE=InnoDB /*!40101 DEFAULT CHARSET=utf8mb4 */;
"""


# CREATE TABLE -------------------------------------------------------------------------


def test_it_reads_the_columns_of_create_table_and_not_its_keys():
    reader = DumpReader(io.BytesIO(TABLE.encode()))
    assert list(reader.rows()) == []
    assert reader.columns == {"t": ["id", "name", "data"]}


def test_it_reads_create_table_if_not_exists_with_bare_and_qualified_names():
    dump = "CREATE TABLE IF NOT EXISTS shop.items (id int, `odd``name` text, price decimal(5,2));"
    reader = DumpReader(io.BytesIO(dump.encode()))
    list(reader.rows())
    assert reader.columns == {"items": ["id", "odd`name", "price"]}


def test_create_table_like_copies_the_columns():
    dump = "CREATE TABLE a (x int, y int); CREATE TABLE b LIKE a; INSERT INTO b VALUES (1, 2);"
    assert rows(dump) == [("b", {"x": 1, "y": 2})]


def test_a_table_created_again_takes_its_new_columns():
    dump = "CREATE TABLE t (a int); DROP TABLE t; CREATE TABLE t (b int, c int);\n"
    assert values(dump + "INSERT INTO t VALUES (1,2);") == [{"b": 1, "c": 2}]


# INSERT forms -------------------------------------------------------------------------


def test_a_multi_row_insert_without_columns_takes_them_from_create_table():
    dump = TABLE + "INSERT INTO `t` VALUES (1,'one',NULL),(2,'two',NULL),\n(3,'three',NULL);"
    assert values(dump) == [
        {"id": 1, "name": "one", "data": None},
        {"id": 2, "name": "two", "data": None},
        {"id": 3, "name": "three", "data": None},
    ]


def test_an_insert_with_a_column_list_uses_its_order():
    dump = TABLE + "INSERT INTO `t` (`name`, id) VALUES ('x', 7);"
    assert values(dump) == [{"name": "x", "id": 7}]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT IGNORE INTO t VALUES (1,'a',NULL);",
        "INSERT LOW_PRIORITY IGNORE INTO t VALUES (1,'a',NULL);",
        "insert into t values (1,'a',NULL);",
        "REPLACE INTO t VALUES (1,'a',NULL);",
        "REPLACE t VALUES (1,'a',NULL);",
        "INSERT INTO db.`t` VALUE (1,'a',NULL);",
        "INSERT INTO t VALUES (1,'a',NULL) ON DUPLICATE KEY UPDATE name = VALUES(name);",
        "INSERT INTO t (id, name, data)\nVALUES\n\t(1,\n'a',\nNULL)\n;",
    ],
)
def test_it_reads_every_insert_form(statement):
    assert values(TABLE + statement) == [{"id": 1, "name": "a", "data": None}]


def test_a_statement_may_span_lines_and_lack_its_last_semicolon():
    dump = TABLE + "INSERT INTO t\n  VALUES\n  (1,\n   'a\nb',\n   NULL)"
    assert values(dump) == [{"id": 1, "name": "a\nb", "data": None}]


def test_other_statements_are_skipped():
    dump = (
        "SET NAMES utf8mb4;\nLOCK TABLES `t` WRITE;\nDROP TABLE IF EXISTS `t`;\n"
        "USE `archive`;\nCREATE DATABASE x;\nALTER TABLE t ADD c int;\n"
        + TABLE
        + "INSERT INTO t VALUES (1,'a',NULL);\nUNLOCK TABLES;\nCOMMIT;"
    )
    assert values(dump) == [{"id": 1, "name": "a", "data": None}]


def test_only_wanted_tables_are_yielded_and_others_need_no_columns():
    dump = "INSERT INTO skipped VALUES (1, 'no CREATE TABLE for me');\n" + TABLE
    dump += "INSERT INTO t VALUES (1,'a',NULL);"
    assert rows(dump, wanted=lambda table: table == "t") == [
        ("t", {"id": 1, "name": "a", "data": None})
    ]


def test_rows_carry_the_line_their_statement_begins_on():
    dump = TABLE + "\n\nINSERT INTO t VALUES (1,'a',NULL),\n(2,'b',NULL);"
    found = list(read_dump(io.BytesIO(dump.encode())))
    assert {row.line for row in found} == {TABLE.count("\n") + 3}


def test_it_reports_the_tables_it_saw():
    dump = TABLE + "INSERT INTO other (a) VALUES (1);"
    reader = DumpReader(io.BytesIO(dump.encode()))
    list(reader.rows())
    assert reader.tables == ["t", "other"]


# Values -------------------------------------------------------------------------------


def one(literal: str | bytes, **options: object) -> object:
    data = literal.encode("utf-8") if isinstance(literal, str) else literal
    (row,) = values(b"INSERT INTO t (v) VALUES (" + data + b");", **options)
    return row["v"]


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (r"'it\'s'", "it's"),
        (r"'say \"hi\"'", 'say "hi"'),
        (r"'back\\slash'", "back\\slash"),
        (r"'a\nb\rc\td'", "a\nb\rc\td"),
        (r"'nul\0byte'", "nul\x00byte"),
        (r"'ctrl\Z'", "ctrl\x1a"),
        (r"'bs\b'", "bs\x08"),
        (r"'100\% \_x'", "100\\% \\_x"),
        (r"'unknown \q escape'", "unknown q escape"),
        ("'doubled '' quote'", "doubled ' quote"),
        ('"double ""quoted"" \'x\'"', "double \"quoted\" 'x'"),
        ("'semi; colon (paren'", "semi; colon (paren"),
        ("'-- no comment # nor this /* nor this */'", "-- no comment # nor this /* nor this */"),
        ("''", ""),
        ("N'national'", "national"),
        ("_utf8mb4'intro'", "intro"),
        ("_latin1'caf\xe9'".encode("latin-1"), "café"),
    ],
)  # fmt: skip
def test_string_literals(literal, expected):
    assert one(literal) == expected


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("42", 42),
        ("-42", -42),
        ("+7", 7),
        ("- 3", -3),
        ("0", 0),
        ("3.50", Decimal("3.50")),
        ("-0.25", Decimal("-0.25")),
        (".5", Decimal("0.5")),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("NULL", None),
        ("null", None),
        ("DEFAULT", None),
        ("TRUE", 1),
        ("false", 0),
    ],
)
def test_numbers_and_words(literal, expected):
    assert one(literal) == expected


def test_a_number_too_long_for_int_is_kept_exactly():
    digits = "9" * 5000
    assert one(digits) == Decimal(digits)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("0x4142", b"AB"),
        ("0xABC", b"\x0a\xbc"),
        ("X'4142'", b"AB"),
        ("x''", b""),
        ("0b1000001", b"A"),
        ("b'0100000101000010'", b"AB"),
        ("_binary 'raw\\0bytes'", b"raw\x00bytes"),
        ("_binary'\xff\xfe'".encode("latin-1"), b"\xff\xfe"),
        ("_binary 0x00ff", b"\x00\xff"),
    ],
)
def test_hex_bit_and_binary_literals_are_bytes(literal, expected):
    assert one(literal) == expected


def test_a_table_without_columns_has_empty_rows():
    dump = "CREATE TABLE e (); INSERT INTO e VALUES ();"
    assert values(dump) == [{}]


# Comments ----------------------------------------------------------------------------


def test_comments_of_every_kind_are_skipped():
    dump = (
        "-- a comment; with a semicolon and a 'quote\n"
        "--\n"
        "# hash comment 'quote\n"
        "/* block comment; 'quote\n over lines */\n"
        "INSERT INTO t (a, b) VALUES -- after VALUES\n"
        "(1, /* inline */ 2), # after a row\n"
        "(3, 4);-- at the end"
    )
    assert values(dump) == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]


def test_version_comments_are_read_as_the_sql_they_hold():
    dump = (
        "/*!40101 SET NAMES latin1 */;\n"
        "/*!40000 ALTER TABLE `t` DISABLE KEYS */;\n"
        "/*M!100100 SET @x = 1 */;\n"
        "/*!50001 CREATE TABLE v (a int, b text) */;\n"
        "INSERT INTO v VALUES (1, 'caf\xe9');\n"
    ).encode("latin-1")
    assert values(dump) == [{"a": 1, "b": "café"}]


def test_a_double_dash_without_a_space_is_no_comment():
    # "--1" is not a comment in MySQL: here it is a doubly negated number.
    assert one("--1") == 1


# DELIMITER ---------------------------------------------------------------------------


def test_delimiter_changes_are_followed():
    dump = (
        "DELIMITER ;;\n"
        "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; SET @b = 2; END ;;\n"
        "INSERT INTO t (a) VALUES (1);;\n"
        "DELIMITER ;\n"
        "INSERT INTO t (a) VALUES (2);\n"
    )
    assert values(dump) == [{"a": 1}, {"a": 2}]


# Decoding ----------------------------------------------------------------------------


def test_text_is_utf8_with_cp1252_for_values_that_are_not():
    dump = (
        "INSERT INTO t (a, b) VALUES ('caf\u00e9 \u2014 ok', 'caf".encode()
        + b"\xe9 \x97 \x93q\x94');"
    )
    assert values(dump) == [{"a": "café — ok", "b": "café — “q”"}]


def test_the_encoding_given_wins_over_what_the_dump_says():
    dump = "SET NAMES utf8;\nINSERT INTO t (a) VALUES ('\u00e9');".encode()
    assert one_row(dump, encoding="latin-1") == {"a": "Ã©"}


def test_set_names_says_how_to_read_what_follows():
    dump = b"SET NAMES utf8;\nINSERT INTO t (a) VALUES ('\xc3\xa9');\n"
    dump += b"SET NAMES koi8r;\nINSERT INTO t (a) VALUES ('\xc4\xd2\xd5\xc7');\n"
    assert values(dump) == [{"a": "é"}, {"a": "друг"}]


def one_row(dump: bytes, **options: object) -> dict:
    (row,) = values(dump, **options)
    return row


def test_decode_value_never_fails():
    assert decode_value(b"\x81\x8d\x8f\x90\x9d") == "\x81\x8d\x8f\x90\x9d"
    assert decode_value(b"\xff\xfe", "utf-8") == "ÿþ"
    assert decode_value(b"\xff", "ascii") == "\ufffd"


def test_an_unknown_encoding_is_a_value_error():
    with pytest.raises(ValueError, match="unknown encoding"):
        DumpReader(io.BytesIO(b""), encoding="no-such-codec")


# Streaming ---------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_rows_of_one_huge_statement_arrive_before_it_is_read(monkeypatch):
    monkeypatch.setattr(sqldump, "CHUNK_BYTES", 4096)
    row = "(" + ",".join(["'" + "x" * 100 + "'"] * 10) + ")"
    dump = "INSERT INTO t (" + ",".join(f"c{i}" for i in range(10)) + ") VALUES "
    dump += ",".join([row] * 5000) + ";"
    stream = CountingStream(dump.encode())
    found = read_dump(stream)
    next(found)
    assert stream.consumed < 3 * 4096 < len(dump)
    assert sum(1 for _ in found) == 4999


def test_a_value_longer_than_the_chunks_is_read_whole(monkeypatch):
    monkeypatch.setattr(sqldump, "CHUNK_BYTES", 1024)
    text = "a\\'b''c\\\\" * 300_000
    assert one("'" + text + "'") == "a'b'c\\" * 300_000


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
@pytest.mark.parametrize("name", ["lantern.sql", "wrenfield.sql"])
def test_chunk_boundaries_never_change_the_rows(monkeypatch, name, chunk):
    data = (FIXTURES / name).read_bytes()
    expected = rows(data)
    monkeypatch.setattr(sqldump, "CHUNK_BYTES", chunk)
    assert rows(data) == expected
    assert len(expected) > 20


def test_it_reads_the_fixture_dumps():
    lantern = rows((FIXTURES / "lantern.sql").read_bytes())
    stories = [row for table, row in lantern if table == "fanfiction_stories"]
    assert [story["title"] for story in stories] == [
        "The Lamp Room", "Fog Signals", "The Escapement", "Unfinished Draft",
    ]  # fmt: skip
    assert stories[0]["summary"].startswith(
        'A keeper\'s log, a "borrowed" lamp; and a backslash \\'
    )
    wrenfield = rows((FIXTURES / "wrenfield.sql").read_bytes())
    chapters = [row for table, row in wrenfield if table == "efic_fanfiction_chapters"]
    assert "café by the quay" in chapters[0]["storytext"]
    assert next(row["penname"] for t, row in wrenfield if t.endswith("authors")) == "Wren's Quill"


# Bad dumps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dump", "line", "message"),
    [
        ("INSERT INTO t (a) VALUES ('open\n\n", 1, "ends inside a quoted string"),
        ("\n\nINSERT INTO `t (a) VALUES (1);", 3, "ends inside a quoted identifier"),
        ("INSERT INTO t (a) VALUES\n(1),\n(2", 3, "ends in the middle of an INSERT"),
        ("INSERT INTO t (a, b) VALUES (1);", 1, "1 values for 2 columns"),
        ("\nINSERT INTO t VALUES (1);", 2, "without a column list, and no CREATE TABLE"),
        ("INSERT INTO t (a) SELECT a FROM u;", 1, "INSERT ... SELECT"),
        ("INSERT INTO t SET a = 1;", 1, "INSERT ... SET"),
        ("INSERT INTO t (a) VALUES (NOW());", 1, "an expression (NOW ...)"),
        ("INSERT INTO t (a) VALUES (1 2);", 1, "unexpected b'2' in a row"),
        ("INSERT INTO t (a) VALUES (1) (2);", 1, "after a row"),
        ("INSERT INTO t (a) VALUES 1;", 1, "expected a row in parentheses"),
        ("INSERT INTO t (a) VALUES (-'x');", 1, "a sign before something not a number"),
        ("INSERT INTO t (a) VALUES (X'ABC');", 1, "odd number of digits"),
        ("INSERT INTO t (a) VALUES (X'zz');", 1, "a bad hex string"),
        ("INSERT INTO t (a) VALUES (b'012');", 1, "a bad bit string"),
        ("INSERT INTO t (a,) VALUES (1);", 1, "a bad column list"),
        ("INSERT INTO (a) VALUES (1);", 1, "without a table name"),
        ("/* never closed\nINSERT INTO t (a) VALUES (1);", 1, "inside a /* comment */"),
        ("CREATE TABLE t (a int,\n b int;\n", 2, "ends before its column list is closed"),
        ("DELIMITER\nSELECT 1;", 1, "DELIMITER without a delimiter"),
    ],
)
def test_a_bad_dump_says_what_and_on_which_line(dump, line, message):
    caught = error(dump)
    assert caught.line == line
    assert str(caught).startswith(f"line {line}: ")
    assert message in str(caught)


def test_sql_dump_error_is_a_value_error():
    assert issubclass(SqlDumpError, ValueError)


# Property tests -----------------------------------------------------------------------


def read_all(data: bytes) -> None:
    try:
        for row in read_dump(io.BytesIO(data)):
            assert isinstance(row.values, dict)
    except SqlDumpError:
        pass


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_give_rows_or_a_dump_error(data):
    read_all(data)


SQL_PIECES = st.sampled_from(
    [b"INSERT INTO t VALUES ", b"INSERT INTO t (a, b) VALUES ", b"CREATE TABLE t (a int, b text)",
     b"(", b")", b",", b";", b"'", b'"', b"`", b"\\", b"''", b"NULL", b"0x1F", b"X'", b"_binary ",
     b"1.5", b"-", b"/*", b"*/", b"/*!40101 ", b"-- ", b"#", b"\n", b"DELIMITER ;;\n", b";;",
     b"ON DUPLICATE KEY UPDATE", b"REPLACE", b"b'01'", b"N'", b"9" * 50, b"\xe9", b"\x00"]
)  # fmt: skip


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SQL_PIECES, max_size=40))
def test_sql_like_garbage_gives_rows_or_a_dump_error(pieces):
    read_all(b"".join(pieces))


FIXTURE_BYTES = [(FIXTURES / name).read_bytes() for name in ("lantern.sql", "wrenfield.sql")]


@settings(
    max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    st.sampled_from(FIXTURE_BYTES),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), st.binary(max_size=4)), max_size=6),
)
def test_mutated_fixture_dumps_give_rows_or_a_dump_error(data, mutations):
    mutated = bytearray(data)
    for where, removed, inserted in mutations:
        at = int(where * len(mutated))
        mutated[at : at + removed] = inserted
    read_all(bytes(mutated))


# A dump writer, for the round trip -------------------------------------------------------


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def sql_string(text: str, style: str) -> bytes:
    return sql_bytes(text.encode("utf-8"), style)


def sql_bytes(data: bytes, style: str) -> bytes:
    if style == "doubled":
        # phpMyAdmin: quotes doubled, backslashes still escaped (MySQL reads them).
        data = data.replace(b"\\", b"\\\\").replace(b"'", b"''")
        return b"'" + data + b"'"
    escapes = {b"\\": b"\\\\", b"'": b"\\'", b'"': b'\\"', b"\x00": b"\\0", b"\n": b"\\n",
               b"\r": b"\\r", b"\x1a": b"\\Z", b"\t": b"\\t", b"\x08": b"\\b"}  # fmt: skip
    return b"'" + b"".join(escapes.get(bytes([b]), bytes([b])) for b in data) + b"'"


def sql_literal(value: object, style: str, index: int) -> bytes:
    if value is None:
        return b"NULL"
    if isinstance(value, bytes):
        if index % 3 == 0:
            return b"0x" + value.hex().encode() if value else b"X''"
        if index % 3 == 1:
            return b"X'" + value.hex().encode() + b"'"
        return b"_binary " + sql_bytes(value, style)
    if isinstance(value, str):
        return sql_string(value, style)
    return str(value).encode()


def write_dump(tables: dict[str, tuple[list[str], list[list[object]]]], style: str) -> bytes:
    out = [b"-- written by the test\n/*!40101 SET NAMES utf8mb4 */;\n"]
    for table, (columns, table_rows) in tables.items():
        names = ", ".join(quote_identifier(c) for c in columns)
        out.append(f"CREATE TABLE {quote_identifier(table)} (\n".encode())
        out.append(",\n".join(f"  {quote_identifier(c)} text" for c in columns).encode())
        out.append(b"\n) ENGINE=InnoDB;\n")
        rendered = [
            b"(" + b",".join(sql_literal(v, style, i) for i, v in enumerate(row)) + b")"
            for row in table_rows
        ]
        if style == "doubled":
            for row in rendered:  # phpMyAdmin: a statement per row, with columns
                out.append(f"INSERT INTO {quote_identifier(table)} ({names}) VALUES\n".encode())
                out.append(row + b";\n")
        elif rendered:
            out.append(f"INSERT INTO {quote_identifier(table)} VALUES ".encode())
            out.append(b",".join(rendered) + b";\n")
    return b"".join(out)


VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.binary(max_size=12),
)
IDENTIFIER = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=12
)


@st.composite
def dump_tables(draw: st.DrawFn) -> dict[str, tuple[list[str], list[list[object]]]]:
    tables = {}
    for table in draw(st.lists(IDENTIFIER, min_size=1, max_size=3, unique=True)):
        columns = draw(st.lists(IDENTIFIER, min_size=1, max_size=5, unique=True))
        table_rows = draw(
            st.lists(st.lists(VALUES, min_size=len(columns), max_size=len(columns)), max_size=6)
        )
        tables[table] = (columns, table_rows)
    return tables


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(dump_tables(), st.sampled_from(["backslash", "doubled"]), st.sampled_from([1, 3, 17, 4096]))
def test_values_survive_a_round_trip_through_a_dump(tables, style, chunk):
    data = write_dump(tables, style)
    original, sqldump.CHUNK_BYTES = sqldump.CHUNK_BYTES, chunk
    try:
        found = rows(data)
    finally:
        sqldump.CHUNK_BYTES = original
    expected = [
        (table, dict(zip(columns, row, strict=True)))
        for table, (columns, table_rows) in tables.items()
        for row in table_rows
    ]
    assert found == expected
