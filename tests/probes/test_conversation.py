"""The pieces every conversation is built from, fed bytes by hand: buffering, HTTP, SSE."""

from __future__ import annotations

import itertools
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate.probes._conversation import Closed, Malformed, Reader, classify_error
from bootgate.probes._httpwire import Body, read_body, read_head
from bootgate.probes._sse import EventStream
from tests.probes.script import run


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (as a network may deliver it)."""
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


def test_reader_exactly_until_and_some() -> None:
    """Reads take what they need across pieces and keep the rest for the next read."""
    reader = Reader()

    def steps() -> Generator[Any, Any, list[bytes]]:
        a = yield from reader.exactly(3)
        b = yield from reader.until(b"\r\n")
        c = yield from reader.some()
        d = yield from reader.some()
        return [a, b, c, d]

    value, _ = run(steps(), [b"ab", b"cLINE\r", b"\nrest"])
    assert value == [b"abc", b"LINE", b"rest", b""]


def test_reader_bounds_and_closing() -> None:
    """A line past its limit is Malformed; a peer that hangs up mid-read is Closed."""
    with pytest.raises(Malformed, match="too long"):
        run(Reader().until(b"\n", limit=10), [b"x" * 6, b"y" * 6])
    with pytest.raises(Closed):
        run(Reader().exactly(4), [b"ab"])


def test_errors_are_classified_with_short_reasons() -> None:
    """Closed, refused and malformed answers become transient verdicts that say what happened."""
    assert classify_error(Closed()).reason == "connection closed by the server"
    assert classify_error(ConnectionRefusedError(111, "x")).reason == "connection refused"
    assert classify_error(Malformed("bad thing")).reason == "bad thing"
    assert classify_error(KeyError("r")).reason == "malformed answer (KeyError: 'r')"


def test_interim_answers_are_skipped() -> None:
    """100 Continue and 103 Early Hints come before the real answer; 101 is an answer."""
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    answer += b"HTTP/1.1 204 No Content\r\nX-A: 1\r\nX-A: 2\r\n\r\n"
    (status, headers), _ = run(read_head(Reader()), [answer])
    assert (status, headers["x-a"]) == (204, "1, 2")
    (status, _), _ = run(read_head(Reader()), [b"HTTP/1.1 101 Switching\r\n\r\n"])
    assert status == 101
    with pytest.raises(Malformed, match="too many interim"):
        run(read_head(Reader()), [b"HTTP/1.1 100 Continue\r\n\r\n" * 20])
    with pytest.raises(Malformed, match="not an HTTP response"):
        run(read_head(Reader()), [b"SSH-2.0-OpenSSH\r\n\r\n"])


@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=8), st.booleans())
def test_bodies_arrive_whole_however_they_are_cut(
    payload: bytes, cuts: list[int], chunked: bool
) -> None:
    """A body by Content-Length or chunked reads back the same bytes for any delivery."""
    if chunked:
        middle = len(payload) // 2
        wire = b"".join(
            b"%x;ext=1\r\n%s\r\n" % (len(part), part)
            for part in (payload[:middle], payload[middle:])
            if part
        )
        head, wire = {"transfer-encoding": "chunked"}, wire + b"0\r\n\r\n"
    else:
        head, wire = {"content-length": str(len(payload))}, payload
    body, _ = run(read_body(Reader(), head, 1000), pieces(wire + b"NEXT", cuts))
    assert body == payload


def test_body_to_the_close_and_its_bounds() -> None:
    """Without a length a body ends at the close; bodies past the limit or cut short fail."""
    body, _ = run(read_body(Reader(), {}, 100), [b"abc", b"def"])
    assert body == b"abcdef"
    with pytest.raises(Malformed, match="longer than 4 bytes"):
        run(read_body(Reader(), {}, 4), [b"abcdef"])
    with pytest.raises(Closed):
        run(read_body(Reader(), {"content-length": "10"}, 100), [b"abc"])
    with pytest.raises(Malformed, match="chunk size"):
        run(read_body(Reader(), {"transfer-encoding": "chunked"}, 100), [b"zz\r\n"])
    with pytest.raises(Malformed, match="Content-Length"):
        Body(Reader(), {"content-length": "-1"})


def test_event_stream_fields_comments_and_line_endings() -> None:
    """data lines join with newlines; comments, ids and unknown fields are skipped; a blank
    line dispatches; CRLF, LF and CR all end lines."""
    stream = EventStream()
    text = b': keep-alive\r\nid: 7\r\nevent: status\r\ndata: {"a":\r\ndata:1}\r\n\r\n'
    text += b"data: two\rretry: 5\r\rdata: three\n\nevent: lonely\n\n"
    assert stream.feed(text) == [("status", '{"a":\n1}'), ("message", "two"), ("message", "three")]


@given(st.lists(st.integers(min_value=0), max_size=10))
def test_event_stream_is_the_same_however_it_is_cut(cuts: list[int]) -> None:
    """Events do not depend on how the bytes were split, a CR LF pair included."""
    text = b"event: status\r\ndata: x\r\n\r\ndata: y\rdata: z\r\rdata: \xc3\xa9\n\n"
    stream = EventStream()
    events = [event for piece in pieces(text, cuts) for event in stream.feed(piece)]
    assert events == [("status", "x"), ("message", "y\nz"), ("message", "é")]


def test_event_stream_bounds_lines_and_events() -> None:
    """A line or an event past its limit is refused instead of buffered without end."""
    with pytest.raises(Malformed, match="line longer than 8"):
        EventStream(line_limit=8).feed(b"data: 0123456789")
    stream = EventStream(event_limit=10)
    with pytest.raises(Malformed, match="event larger than 10"):
        stream.feed(b"data: 123456\ndata: 123456\n")
