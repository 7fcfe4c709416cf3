"""Rows out of a MySQL or MariaDB dump, without a database server.

A dump (mysqldump, phpMyAdmin, Sequel Pro, Adminer) is SQL text: ``CREATE TABLE``
statements naming each table's columns, and ``INSERT`` (or ``REPLACE``) statements
holding the rows, one row or many per statement. :class:`DumpReader` reads one as a
byte stream and yields each inserted row as a dict of column name to value, so a dump
of a gigabyte needs memory for one value at a time, never for a statement or a line.

What is understood:

* ``CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name (...)``: the column
  names, in order, for ``INSERT`` statements without a column list (and ``CREATE
  TABLE name LIKE other``).
* ``INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] name [(columns)]
  VALUES (...), (...)`` and ``REPLACE ...`` alike; ``ON DUPLICATE KEY UPDATE ...`` after
  the rows is skipped. ``INSERT ... SELECT`` and ``INSERT ... SET`` hold no rows a
  dump can give and are refused.
* Values: ``NULL``; numbers (``int``, or ``Decimal`` with a point, ``float`` with an
  exponent); strings in single or double quotes with MySQL's backslash escapes
  (``\\0 \\' \\" \\b \\n \\r \\t \\Z \\\\``, and ``\\%`` ``\\_`` kept as written) and
  doubled quotes; hex and bit literals (``0x..``, ``X'..'``, ``0b..``, ``b'..'``)
  and ``_binary '..'`` as ``bytes``; other introducers (``_utf8mb4'..'``,
  ``_latin1'..'``, ``N'..'``) as text; ``TRUE``, ``FALSE``; ``DEFAULT`` as None.
* Comments: ``-- ``, ``#``, ``/* */``; version comments ``/*!40101 ... */`` (and
  MariaDB's ``/*M!100100 ... */``) are read as the SQL they hold, as a server does.
* Backquoted identifiers (``db``.``table`` gives ``table``), ``DELIMITER`` changes
  (dumps with routines), ``SET NAMES`` (the encoding of what follows), ``;`` and
  parentheses inside strings, statements over many lines and lines of any length.
  Every other statement is skipped.

Text is decoded value by value: with the encoding given, else with the one ``SET
NAMES`` announced, else as UTF-8, falling back to cp1252 for a value that is not
UTF-8 (old archives mix both). Text is otherwise left as the dump holds it: repairing
mojibake is for the reader of the rows.

Bad input raises :class:`SqlDumpError`, a ValueError whose message starts with the
line it was found on, never another exception.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

type Value = str | int | float | Decimal | bytes | None

CHUNK_BYTES = 1 << 20
"""How much is read at a time; a token longer than this is read in growing steps."""

# Beyond this many digits int() refuses to convert (CVE-2020-10735); such a number is
# kept exactly as a Decimal instead.
_MAX_INT_DIGITS = 4000


class SqlDumpError(ValueError):
    """A dump that cannot be read. The message begins "line N: ..."."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class DumpRow:
    table: str
    values: dict[str, Value]
    line: int
    """The line the row's INSERT statement begins on."""


# Decoding ---------------------------------------------------------------------------

# cp1252, with latin-1 supplying the five bytes cp1252 leaves undefined: no byte fails.
_CP1252_TABLE = "".join(
    chr(byte) if byte in b"\x81\x8d\x8f\x90\x9d" else bytes([byte]).decode("cp1252")
    for byte in range(256)
)

# MySQL's names for character sets, as Python knows them. MySQL's "latin1" is cp1252.
_MYSQL_CHARSETS = {
    "utf8": "utf-8",
    "utf8mb3": "utf-8",
    "utf8mb4": "utf-8",
    "latin1": "cp1252",
    "binary": None,
    "ascii": "ascii",
    "ucs2": "utf-16-be",
    "utf16": "utf-16-be",
    "utf16le": "utf-16-le",
    "utf32": "utf-32-be",
    "latin2": "iso8859-2",
    "cp1250": "cp1250",
    "cp1251": "cp1251",
    "koi8r": "koi8-r",
    "sjis": "shift_jis",
    "ujis": "euc-jp",
    "gbk": "gbk",
    "big5": "big5",
    "euckr": "euc-kr",
    "greek": "iso8859-7",
    "hebrew": "iso8859-8",
}


def decode_value(data: bytes, encoding: str | None = None) -> str:
    """Text of a value's bytes: in ``encoding`` (undecodable bytes replaced), else UTF-8
    with cp1252 for bytes that are not UTF-8."""
    if encoding is not None and codecs.lookup(encoding).name != "utf-8":
        if codecs.lookup(encoding).name == "cp1252":
            return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def python_encoding(mysql_charset: str) -> str | None:
    """The Python codec for a MySQL character set name, or None when unknown."""
    name = mysql_charset.strip("'\"`").lower()
    if name in _MYSQL_CHARSETS:
        return _MYSQL_CHARSETS[name]
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_ESCAPES = {
    b"0": b"\x00",
    b"b": b"\x08",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"Z": b"\x1a",
    # MySQL keeps the backslash before % and _ (they are LIKE wildcards).
    b"%": b"\\%",
    b"_": b"\\_",
}
_SINGLE_QUOTED_ESCAPE = re.compile(rb"\\(.)|''", re.S)
_DOUBLE_QUOTED_ESCAPE = re.compile(rb'\\(.)|""', re.S)


def _unescape_match(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    if escaped is None:
        return match.group(0)[:1]
    return _ESCAPES.get(escaped, escaped)


def unescape(body: bytes, quote: bytes = b"'") -> bytes:
    """The bytes a quoted string literal's body stands for."""
    if b"\\" not in body and quote * 2 not in body:
        return body
    pattern = _SINGLE_QUOTED_ESCAPE if quote == b"'" else _DOUBLE_QUOTED_ESCAPE
    return pattern.sub(_unescape_match, body)


# Tokens -----------------------------------------------------------------------------

WORD, IDENT, STRING, NUMBER, HEX, BITS, PUNCT, END, EOF = range(9)


@dataclass(slots=True)
class Token:
    kind: int
    text: bytes
    """As written, quotes and all."""
    line: int

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper().decode("latin-1") in words

    def is_punct(self, char: bytes) -> bool:
        return self.kind == PUNCT and self.text == char


_SPACE = re.compile(rb"\s+")
_WORD = re.compile(rb"[A-Za-z_$\x80-\xff][A-Za-z0-9_$\x80-\xff]*")
_NUMBER = re.compile(
    rb"0[xX][0-9a-fA-F]+(?![A-Za-z0-9_$])|0[bB][01]+(?![A-Za-z0-9_$])"
    rb"|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
)
# Possessive (*+, ++): a string not closed in the buffered bytes must fail at once, not
# try every way of cutting its run of characters (exponential backtracking).
_STRINGS = {
    ord("'"): re.compile(rb"'(?:[^'\\]++|\\.|'')*+'", re.S),
    ord('"'): re.compile(rb'"(?:[^"\\]++|\\.|"")*+"', re.S),
    ord("`"): re.compile(rb"`(?:[^`]++|``)*+`", re.S),
}
_LINE_COMMENT = re.compile(rb"[^\n]*")
# Bytes a token's match must leave after it before it is taken as whole: "1e+" needs
# two more to know whether an exponent follows, a closing quote one.
_LOOKAHEAD = 3
_VERSION_OPENER = re.compile(rb"/\*M?!\d*")
_DIGIT_OR_POINT = frozenset(b"0123456789.")
_DIGITS = frozenset(b"0123456789")
_WORD_START = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$" + bytes(range(0x80, 0x100))
)
_SPACES = frozenset(b" \t\n\r\x0b\x0c")


class _Lexer:
    """Tokens of a byte stream, read a chunk at a time. Whitespace and comments are
    skipped; the contents of version comments are tokens like any other."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._position = 0
        self._eof = False
        self.line = 1
        self.delimiter = b";"
        self._in_version_comment = False

    # The buffer ---------------------------------------------------------------

    def _read_more(self, at_least: int = 0) -> bool:
        """Append at least ``at_least`` bytes (fewer at the end); False at the end."""
        if self._eof:
            return False
        if self._position > len(self._buffer) // 2:
            self._buffer = self._buffer[self._position :]
            self._position = 0
        chunks = []
        wanted = max(at_least, CHUNK_BYTES)
        while wanted > 0:
            chunk = self._stream.read(wanted)
            if not chunk:
                self._eof = True
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        if not chunks:
            return False
        self._buffer += b"".join(chunks)
        return True

    def _available(self, count: int) -> bool:
        """Whether ``count`` bytes from the position are buffered, reading if need be."""
        while len(self._buffer) - self._position < count:
            if not self._read_more():
                return False
        return True

    def _advance(self, end: int) -> bytes:
        text = self._buffer[self._position : end]
        self.line += text.count(b"\n")
        self._position = end
        return text

    def _match(self, pattern: re.Pattern[bytes]) -> re.Match[bytes] | None:
        """``pattern`` at the position, reading on while the token may go on past the
        buffered bytes: a match that ends too near their end (a word cut in two, "0x"
        or "1e+" waiting for digits, a string whose closing quote may be the first of a
        doubled one) or no match yet (a string not closed). None only at the end of the
        dump. Each retry reads as much again as is buffered, so a long token costs
        linear time."""
        while True:
            match = pattern.match(self._buffer, self._position)
            if match is not None and match.end() + _LOOKAHEAD <= len(self._buffer):
                return match
            if not self._read_more(len(self._buffer) - self._position):
                return match

    # Tokens -------------------------------------------------------------------

    def rest_of_line(self) -> bytes:
        """The raw bytes up to the end of the line (for DELIMITER)."""
        match = self._match(_LINE_COMMENT)
        assert match is not None  # matches the empty string
        return self._advance(match.end())

    def next(self) -> Token:
        while True:
            if not self._available(1):
                return Token(EOF, b"", self.line)
            line = self.line
            if self._at_delimiter():
                return Token(END, self._advance(self._position + len(self.delimiter)), line)
            byte = self._buffer[self._position]
            if byte in _SPACES:
                match = self._match(_SPACE)
                assert match is not None
                self._advance(match.end())
            elif byte == ord("#") or (byte == ord("-") and self._is_dash_comment()):
                self._skip_line()
            elif byte == ord("/") and self._starts(b"/*"):
                self._comment(line)
            elif byte == ord("*") and self._in_version_comment and self._starts(b"*/"):
                self._in_version_comment = False
                self._advance(self._position + 2)
            elif byte in _STRINGS:
                match = self._match(_STRINGS[byte])
                if match is None:
                    kind = "identifier" if byte == ord("`") else "string"
                    raise SqlDumpError(line, f"the dump ends inside a quoted {kind}")
                kind = IDENT if byte == ord("`") else STRING
                return Token(kind, self._advance(match.end()), line)
            elif byte in _DIGITS or (byte == ord(".") and self._next_is_digit()):
                match = self._match(_NUMBER)
                assert match is not None
                text = self._advance(match.end())
                kind = NUMBER
                if text[:2] in (b"0x", b"0X"):
                    kind = HEX
                elif text[:2] in (b"0b", b"0B"):
                    kind = BITS
                return Token(kind, text, line)
            elif byte in _WORD_START:
                match = self._match(_WORD)
                assert match is not None
                return Token(WORD, self._advance(match.end()), line)
            elif byte == ord(";") and self.delimiter == b";":
                return Token(END, self._advance(self._position + 1), line)
            else:
                return Token(PUNCT, self._advance(self._position + 1), line)

    def _at_delimiter(self) -> bool:
        # The usual ";" is a token of its own; only a DELIMITER-set one is looked for.
        return self.delimiter != b";" and self._starts(self.delimiter)

    def _starts(self, prefix: bytes) -> bool:
        return self._available(len(prefix)) and self._buffer.startswith(prefix, self._position)

    def _next_is_digit(self) -> bool:
        return self._available(2) and self._buffer[self._position + 1] in _DIGITS

    def _is_dash_comment(self) -> bool:
        # "--" starts a comment only before whitespace, a control character or the end:
        # "1--2" is arithmetic.
        if not self._starts(b"--"):
            return False
        if not self._available(3):
            return True
        return self._buffer[self._position + 2] <= 0x20

    def _skip_line(self) -> None:
        match = self._match(_LINE_COMMENT)
        assert match is not None
        self._advance(match.end())

    def _comment(self, line: int) -> None:
        self._available(16)
        opener = _VERSION_OPENER.match(self._buffer, self._position)
        if opener is not None and not self._in_version_comment:
            self._in_version_comment = True
            self._advance(opener.end())
            return
        while True:
            end = self._buffer.find(b"*/", self._position + 2)
            if end >= 0:
                self._advance(end + 2)
                return
            if not self._read_more(len(self._buffer) - self._position):
                raise SqlDumpError(line, "the dump ends inside a /* comment */")


# Statements -------------------------------------------------------------------------

_CONSTRAINT_WORDS = frozenset(
    {"PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "FULLTEXT", "SPATIAL",
     "CHECK", "PERIOD", "SYSTEM"}
)  # fmt: skip
_INSERT_MODIFIERS = frozenset({"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"})


def identifier(token: Token) -> str:
    """The name a WORD or backquoted IDENT token spells."""
    if token.kind == IDENT:
        return token.text[1:-1].replace(b"``", b"`").decode("utf-8", "replace")
    return token.text.decode("utf-8", "replace")


class DumpReader:
    """The rows of a dump, table by table as they come.

    ``wanted`` says which tables' rows to yield (all by default); the others are still
    read, to find where statements end, but their values are not decoded. ``encoding``
    overrides what the dump says of its encoding.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        encoding: str | None = None,
        wanted: Callable[[str], bool] | None = None,
    ) -> None:
        if encoding is not None:
            try:
                encoding = codecs.lookup(encoding).name
            except LookupError:
                raise ValueError(f"unknown encoding {encoding!r}") from None
        self._lexer = _Lexer(stream)
        self._forced_encoding = encoding
        self._encoding: str | None = encoding
        self._wanted = wanted or (lambda table: True)
        self.columns: dict[str, list[str]] = {}
        """The columns of every table created so far, by table name."""
        self.tables: list[str] = []
        """Every table created or inserted into, in order of appearance."""

    def rows(self) -> Iterator[DumpRow]:
        lexer = self._lexer
        while True:
            token = lexer.next()
            if token.kind == EOF:
                return
            if token.kind == END:
                continue
            if token.is_word("INSERT", "REPLACE"):
                yield from self._insert(token)
            elif token.is_word("CREATE"):
                self._create(token)
            elif token.is_word("DELIMITER"):
                self._delimiter(token)
            elif token.is_word("SET"):
                self._set(token)
            else:
                self._skip_statement(token)

    # Helpers ------------------------------------------------------------------

    def _next(self, start: Token, what: str) -> Token:
        token = self._lexer.next()
        if token.kind == EOF:
            raise SqlDumpError(
                token.line, f"the dump ends in the middle of {what} begun on line {start.line}"
            )
        return token

    def _skip_statement(self, token: Token) -> None:
        while token.kind not in (END, EOF):
            token = self._lexer.next()

    def _table_name(self, token: Token, start: Token, what: str) -> tuple[str, Token]:
        """The table named from ``token`` on (``db``.``table`` gives the table), and the
        token after the name."""
        if token.kind not in (WORD, IDENT):
            raise SqlDumpError(token.line, f"{what} without a table name")
        name = identifier(token)
        following = self._next(start, what)
        while following.is_punct(b"."):
            part = self._next(start, what)
            if part.kind not in (WORD, IDENT):
                raise SqlDumpError(part.line, f"{what}: a bad table name after {name!r}")
            name = identifier(part)
            following = self._next(start, what)
        if name not in self.tables:
            self.tables.append(name)
        return name, following

    # CREATE TABLE -------------------------------------------------------------

    def _create(self, start: Token) -> None:
        token = self._lexer.next()
        while token.is_word("OR", "REPLACE", "TEMPORARY"):
            token = self._lexer.next()
        if not token.is_word("TABLE"):
            self._skip_statement(token)
            return
        token = self._next(start, "a CREATE TABLE statement")
        if token.is_word("IF"):
            for _ in range(2):  # NOT EXISTS
                token = self._next(start, "a CREATE TABLE statement")
            token = self._next(start, "a CREATE TABLE statement")
        table, token = self._table_name(token, start, "CREATE TABLE")
        if token.is_word("LIKE"):
            like = self._next(start, "a CREATE TABLE statement")
            source, token = self._table_name(like, start, "CREATE TABLE ... LIKE")
            self.columns[table] = list(self.columns.get(source, []))
        elif token.is_punct(b"("):
            self.columns[table], token = self._column_definitions(start)
        self._skip_statement(token)

    def _column_definitions(self, start: Token) -> tuple[list[str], Token]:
        """The column names of a CREATE TABLE's parenthesised list, and the token after
        it."""
        what = "a CREATE TABLE statement"
        columns: list[str] = []
        depth = 1
        at_item_start = True
        while True:
            token = self._next(start, what)
            if token.kind == END:
                raise SqlDumpError(token.line, f"CREATE TABLE begun on line {start.line} "
                                   "ends before its column list is closed")  # fmt: skip
            if at_item_start and depth == 1:
                at_item_start = False
                if token.kind == IDENT or (
                    token.kind == WORD and not token.is_word(*_CONSTRAINT_WORDS)
                ):
                    columns.append(identifier(token))
            if token.is_punct(b"("):
                depth += 1
            elif token.is_punct(b")"):
                depth -= 1
                if depth == 0:
                    return columns, self._lexer.next()
            elif token.is_punct(b",") and depth == 1:
                at_item_start = True

    # INSERT -------------------------------------------------------------------

    def _insert(self, start: Token) -> Iterator[DumpRow]:
        what = f"an {start.text.decode().upper()} statement"
        token = self._next(start, what)
        while token.is_word(*_INSERT_MODIFIERS):
            token = self._next(start, what)
        if token.is_word("INTO"):
            token = self._next(start, what)
        table, token = self._table_name(token, start, start.text.decode().upper())
        if token.is_word("PARTITION"):
            token = self._skip_parenthesised(self._next(start, what), start, what)
        columns: list[str] | None = None
        if token.is_punct(b"("):
            columns = []
            while True:
                name = self._next(start, what)
                if name.is_punct(b")") and not columns:
                    break
                if name.kind not in (WORD, IDENT):
                    raise SqlDumpError(name.line, f"a bad column list for `{table}`")
                columns.append(identifier(name))
                separator = self._next(start, what)
                if separator.is_punct(b")"):
                    break
                if not separator.is_punct(b","):
                    raise SqlDumpError(separator.line, f"a bad column list for `{table}`")
            token = self._next(start, what)
        wanted = self._wanted(table)
        if not token.is_word("VALUES", "VALUE"):
            if not wanted:
                self._skip_statement(token)
                return
            if token.is_word("SET", "SELECT"):
                form = token.text.decode("ascii").upper()
                reason = f"INSERT ... {form} into `{table}`: a dump's rows must be VALUES"
            else:
                reason = f"expected VALUES after INSERT into `{table}`, found {token.text[:40]!r}"
            raise SqlDumpError(token.line, reason)
        if columns is None and wanted:
            columns = self.columns.get(table)
            if columns is None:
                raise SqlDumpError(
                    start.line,
                    f"INSERT into `{table}` without a column list, and no CREATE TABLE "
                    "for it earlier in the dump",
                )
        yield from self._rows(table, columns if wanted else None, start, what)

    def _skip_parenthesised(self, token: Token, start: Token, what: str) -> Token:
        if not token.is_punct(b"("):
            return token
        depth = 1
        while depth:
            token = self._next(start, what)
            if token.kind == END:
                raise SqlDumpError(token.line, f"{what} ends inside parentheses")
            depth += token.is_punct(b"(") - token.is_punct(b")")
        return self._next(start, what)

    def _rows(
        self, table: str, columns: list[str] | None, start: Token, what: str
    ) -> Iterator[DumpRow]:
        while True:
            opener = self._next(start, what)
            if not opener.is_punct(b"("):
                raise SqlDumpError(opener.line, f"expected a row in parentheses in `{table}`")
            values = self._row(table, start, what, decode=columns is not None)
            if columns is not None:
                if len(values) != len(columns):
                    raise SqlDumpError(
                        opener.line,
                        f"a row of `{table}` has {len(values)} values for {len(columns)} columns",
                    )
                yield DumpRow(table, dict(zip(columns, values, strict=True)), start.line)
            token = self._lexer.next()
            if token.is_punct(b","):
                continue
            if token.kind in (END, EOF):
                return
            if token.is_word("ON", "AS", "RETURNING"):
                self._skip_statement(token)
                return
            raise SqlDumpError(token.line, f"unexpected {token.text[:40]!r} after a row")

    def _row(self, table: str, start: Token, what: str, *, decode: bool) -> list[Value]:
        values: list[Value] = []
        while True:
            token = self._next(start, what)
            if token.is_punct(b")") and not values:
                return values
            values.append(self._value(token, table, start, what, decode=decode))
            separator = self._next(start, what)
            if separator.is_punct(b")"):
                return values
            if not separator.is_punct(b","):
                raise SqlDumpError(
                    separator.line,
                    f"unexpected {separator.text[:40]!r} in a row of `{table}`",
                )

    def _value(self, token: Token, table: str, start: Token, what: str, *, decode: bool) -> Value:
        sign = 1
        signed = False
        while token.is_punct(b"-") or token.is_punct(b"+"):
            sign, signed = (-sign if token.text == b"-" else sign), True
            token = self._next(start, what)
        if signed and token.kind != NUMBER:
            raise SqlDumpError(token.line, f"a sign before something not a number in `{table}`")
        if token.kind == NUMBER:
            return _number(token, sign)
        if token.kind == STRING:
            return self._text(token, None) if decode else None
        if token.kind == HEX:
            return _hex(token.text[2:], token.line)
        if token.kind == BITS:
            return _bits(token.text[2:], token.line)
        if token.kind == WORD:
            word = token.text.decode("ascii", "replace").upper()
            if word == "NULL" or word == "DEFAULT":
                return None
            if word == "TRUE":
                return 1
            if word == "FALSE":
                return 0
            literal = self._next(start, what)
            if word in ("X", "B") and literal.kind == STRING and literal.text[:1] == b"'":
                body = literal.text[1:-1]
                return (
                    _hex(body, literal.line, strict=True)
                    if word == "X"
                    else _bits(body, literal.line)
                )
            if word == "N" and literal.kind == STRING:
                return self._text(literal, None) if decode else None
            if word.startswith("_") and literal.kind in (STRING, HEX):
                if literal.kind == HEX:
                    data = _hex(literal.text[2:], literal.line)
                else:
                    data = unescape(literal.text[1:-1], literal.text[:1])
                charset = word[1:].lower()
                if charset == "binary" or not decode:
                    return data if charset == "binary" else None
                return decode_value(data, python_encoding(charset) or self._encoding)
            raise SqlDumpError(token.line, f"an expression ({word} ...) in a row of `{table}`")
        raise SqlDumpError(token.line, f"unexpected {token.text[:40]!r} in a row of `{table}`")

    def _text(self, token: Token, encoding: str | None) -> str:
        data = unescape(token.text[1:-1], token.text[:1])
        return decode_value(data, encoding or self._encoding)

    # DELIMITER and SET NAMES --------------------------------------------------

    def _delimiter(self, start: Token) -> None:
        delimiter = self._lexer.rest_of_line().strip()
        if not delimiter:
            raise SqlDumpError(start.line, "DELIMITER without a delimiter")
        self._lexer.delimiter = delimiter

    def _set(self, start: Token) -> None:
        token = self._lexer.next()
        if token.is_word("CHARACTER"):
            token = self._lexer.next()  # SET CHARACTER SET x
            token.kind = WORD if token.is_word("SET") else PUNCT
            token.text = b"CHARSET"
        if token.is_word("NAMES", "CHARSET"):
            charset = self._lexer.next()
            if charset.kind in (WORD, IDENT, STRING) and self._forced_encoding is None:
                name = identifier(charset) if charset.kind != STRING else charset.text[1:-1]
                encoding = python_encoding(name if isinstance(name, str) else name.decode())
                # UTF-8 is the default anyway, and keeps the per-value fallback.
                self._encoding = None if encoding == "utf-8" else encoding
            token = charset
        self._skip_statement(token)


def _number(token: Token, sign: int) -> Value:
    text = token.text.decode("ascii")
    if text.isdigit() and len(text) <= _MAX_INT_DIGITS:
        return sign * int(text)
    try:
        if "e" in text or "E" in text:
            return sign * float(text)
        value = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise SqlDumpError(token.line, f"a bad number {text[:40]!r}") from error
    return value.copy_negate() if sign < 0 else value  # exact, unlike -value


def _hex(digits: bytes, line: int, *, strict: bool = False) -> bytes:
    if len(digits) % 2:
        if strict:
            raise SqlDumpError(line, "a hex string with an odd number of digits")
        digits = b"0" + digits
    try:
        return bytes.fromhex(digits.decode("ascii"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SqlDumpError(line, "a bad hex string") from error


def _bits(digits: bytes, line: int) -> bytes:
    if digits.strip(b"01"):
        raise SqlDumpError(line, "a bad bit string")
    if not digits:
        return b""
    value = int(digits, 2)
    return value.to_bytes((len(digits) + 7) // 8, "big")


def read_dump(
    stream: BinaryIO,
    *,
    encoding: str | None = None,
    wanted: Callable[[str], bool] | None = None,
) -> Iterator[DumpRow]:
    """Every row the dump inserts into the ``wanted`` tables, in order."""
    return DumpReader(stream, encoding=encoding, wanted=wanted).rows()
