#!/usr/bin/python3
"""A bounded flood of malformed, oversized and slow requests, then 1000 simultaneous connections,
against a running sluice; afterwards the server must still be up and answer a normal boto3 client
correctly. Everything goes to the loopback address of SLUICE_ENDPOINT only.

usage: SLUICE_ENDPOINT=http://127.0.0.1:PORT [SLUICE_PID=pid] /usr/bin/python3 tests/api/robustness.py

Each probe uses its own connection with a 10 s socket timeout. Where the spec fixes the answer it is
checked exactly (bad JSON -> 400 SerializationException, unknown target -> 400
UnknownOperationException, pipelined requests answered in order); elsewhere the server may answer
4xx or close the connection, but must never answer 5xx, hang past the timeout, or die.
Randomness (garbage bytes) prints its seed. Prints "N passed, N failed".
"""
import os
import random
import resource
import selectors
import signal
import socket
import sys
import time
from urllib.parse import urlparse

EP = urlparse(os.environ["SLUICE_ENDPOINT"])
HOST, PORT = EP.hostname, EP.port
assert HOST in ("127.0.0.1", "localhost", "::1"), "loopback only"
PID = int(os.environ["SLUICE_PID"]) if os.environ.get("SLUICE_PID") else None
SEED = int(os.environ.get("SLUICE_TEST_SEED", str(int(time.time()))))
print("robustness: seed %d (set SLUICE_TEST_SEED to repeat)" % SEED, flush=True)
rnd = random.Random(SEED)
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDLOCALDUMMY/20261122/us-east-1/kinesis/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)
passed = failed = 0


def result(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail), flush=True)


def req(target, body, ctype="application/x-amz-json-1.1", extra=b"", length=None):
    if isinstance(body, str):
        body = body.encode()
    n = len(body) if length is None else length
    head = ("POST / HTTP/1.1\r\nHost: %s:%d\r\nX-Amz-Target: Kinesis_20131202.%s\r\nContent-Type: %s\r\n"
            "X-Amz-Date: 20261122T000000Z\r\nAuthorization: %s\r\nContent-Length: %d\r\n"
            % (HOST, PORT, target, ctype, AUTH, n)).encode()
    return head + extra + b"\r\n" + body


def connect(timeout=10):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Buffered reading of HTTP/1.1 responses from a socket (keeps bytes of pipelined answers)."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self, end):
        if time.monotonic() > end:
            raise TimeoutError("no complete response within the deadline")
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def response(self, deadline_s=10):
        """(status, headers, body), None if the server closed before answering."""
        end = time.monotonic() + deadline_s
        while b"\r\n\r\n" not in self.buf:
            if not self.fill(end):
                return None if not self.buf else ("truncated", self.buf, b"")
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        self.buf = rest
        while len(self.buf) < n:
            if not self.fill(end):
                break
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body


def read_response(s, deadline_s=10):
    return Reader(s).response(deadline_s)


def probe(name, payload, want_status=None, want_type=None, shut=False, allow_close=True, chunks=None):
    """Send payload on a fresh connection; check the answer."""
    try:
        s = connect()
        try:
            if chunks:
                for c in chunks:
                    s.sendall(c)
                    time.sleep(0.01)
            else:
                s.sendall(payload)
            if shut:
                s.shutdown(socket.SHUT_WR)
            r = read_response(s)
        except (ConnectionResetError, BrokenPipeError):
            r = None
        finally:
            s.close()
    except TimeoutError as e:
        result(name, False, "server hung: %s" % e)
        return
    except OSError as e:
        result(name, False, "connection failed: %r" % e)
        return
    if r is None:
        result(name, allow_close and want_status is None, "server closed the connection without an answer")
        return
    if r[0] == "truncated":
        result(name, False, "truncated response head: %r" % r[1][:200])
        return
    status, body = r[0], r[2]
    if want_status is not None:
        ok = status == want_status
        if want_type:
            ok = ok and (b'"__type":"%s"' % want_type.encode()) in body.replace(b" ", b"")
        result(name, ok, "got %d %r, expected %d %s" % (status, body[:200], want_status, want_type or ""))
    else:
        result(name, 400 <= status < 500 or status == 413,
               "expected a 4xx answer or a close, got %d %r" % (status, body[:200]))


def closes_after_answer(name, payload):
    """A 200 answer to ListStreams, then the server closes the connection (within 5 s)."""
    try:
        s = connect()
        s.sendall(payload)
        rd = Reader(s)
        r = rd.response()
        end, closed = time.monotonic() + 5, False
        while time.monotonic() < end:
            try:
                if not s.recv(4096):
                    closed = True
                    break
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
        s.close()
        result(name, r is not None and r[0] == 200 and b"StreamNames" in r[2] and closed,
               "answer %r, closed afterwards: %s" % (r, closed))
    except (OSError, TimeoutError) as e:
        result(name, False, repr(e))


def h2_garbage():
    """The HTTP/2 preface then garbage frames: the server answers in HTTP/2 (its SETTINGS frame,
    then GOAWAY) and closes; it must not hang or answer in HTTP/1.1."""
    name = "HTTP/2 preface then garbage"
    try:
        s = connect()
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes(rnd.randrange(256) for _ in range(512)))
        got, end = b"", time.monotonic() + 10
        while time.monotonic() < end:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
        else:
            result(name, False, "connection still open after 10 s")
            s.close()
            return
        s.close()
        # frame header: 24-bit length, type, flags, stream id; the first frame is SETTINGS (type 4)
        result(name, len(got) >= 9 and got[3] == 4,
               "expected an HTTP/2 SETTINGS frame (and GOAWAY) before the close, got %r" % got[:64])
    except OSError as e:
        result(name, False, repr(e))


def alive(name):
    if PID is not None:
        try:
            os.kill(PID, 0)
        except ProcessLookupError:
            result(name, False, "server process %d is gone" % PID)
            return False
    try:
        s = connect(5)
        s.sendall(req("ListStreams", "{}"))
        r = read_response(s, 10)
        s.close()
        ok = r is not None and r[0] == 200 and b"StreamNames" in r[2]
        result(name, ok, "ListStreams after the probes: %r" % (r,))
        return ok
    except (OSError, TimeoutError) as e:
        result(name, False, "server does not answer: %r" % e)
        return False


def flood():
    t0 = time.monotonic()
    probe("bad JSON", req("PutRecord", "{bad json"), 400, "SerializationException")
    probe("JSON array body", req("ListStreams", "[1,2,3]"), 400)
    probe("unknown target", req("Nonexistent", "{}"), 400, "UnknownOperationException")
    probe("wrong content type", req("ListStreams", "{}", ctype="text/plain"))
    probe("empty target", req("", "{}"))
    probe("no target header", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
          b"Content-Length: 2\r\n\r\n{}")
    probe("wrong type in JSON", req("CreateStream", '{"StreamName":5,"ShardCount":"x"}'), 400)
    probe("deeply nested JSON", req("PutRecord", "[" * 100000 + "]" * 100000), 400)
    probe("huge number", req("CreateStream", '{"StreamName":"n","ShardCount":1' + "0" * 5000 + "}"), 400)
    probe("NUL in JSON string", req("CreateStream", b'{"StreamName":"a\x00b","ShardCount":1}'), 400)
    probe("invalid UTF-8", req("CreateStream", b'{"StreamName":"\xff\xfe","ShardCount":1}'), 400)
    big = b'{"StreamName":"big","PartitionKey":"k","Data":"' + b"A" * (8 << 20) + b'"}'
    probe("8 MiB body", req("PutRecord", big))
    probe("Content-Length 8 MiB, 1 KiB sent, write side closed",
          req("PutRecord", b"{" + b" " * 1024, length=8 << 20), shut=True)
    probe("Content-Length 2 GiB", req("PutRecord", b"{}", length=2 << 30), shut=True)
    probe("negative Content-Length", req("ListStreams", "{}").replace(b"Content-Length: 2", b"Content-Length: -2"))
    probe("non-numeric Content-Length", req("ListStreams", "{}").replace(b"Content-Length: 2", b"Content-Length: x"))
    probe("two Content-Lengths", req("ListStreams", "{}", extra=b"Content-Length: 5\r\n"))
    for n in (1, 10, 100):
        probe("truncated body (%d of 200 bytes)" % n,
              req("PutRecords", (b'{"StreamName":"t","Records":[' + b"x" * 200)[:n], length=200), shut=True)
    probe("truncated request head", b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le", shut=True)
    probe("header line of 1 MiB", req("ListStreams", "{}", extra=b"X-Junk: " + b"a" * (1 << 20) + b"\r\n"))
    probe("20000 headers", req("ListStreams", "{}", extra=b"".join(b"X-H%d: v\r\n" % i for i in range(20000))))
    probe("HTTP/0.9 request", b"GET /\r\n", shut=True)
    probe("bad method", b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    probe("bad version", b"POST / HTTP/7.3\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    h2_garbage()
    probe("chunked body", req("ListStreams", b"").replace(b"Content-Length: 0\r\n", b"Transfer-Encoding: chunked\r\n")
          + b"2\r\n{}\r\n0\r\n\r\n")
    probe("chunked with a bad size", req("ListStreams", b"").replace(b"Content-Length: 0\r\n",
                                                                      b"Transfer-Encoding: chunked\r\n") + b"zz\r\n",
          shut=True)
    for i in range(100):
        n = rnd.randrange(1, 8192)
        probe("garbage bytes #%d (%d bytes)" % (i, n), bytes(rnd.randrange(256) for _ in range(n)), shut=True)
    for i in range(40):
        body = '{"StreamName":"x","Records":[' + ",".join(['{"Data":"YQ==","PartitionKey":"k"}'] * rnd.randrange(0, 3))
        cut = rnd.randrange(0, len(body))
        probe("random JSON cut #%d" % i, req("PutRecords", body[:cut]), 400)
    # byte-at-a-time request still works
    probe("request sent one byte at a time", None, 200, chunks=[bytes([b]) for b in req("ListStreams", "{}")],
          allow_close=False)
    closes_after_answer("Connection: close is honoured", req("ListStreams", "{}", extra=b"Connection: close\r\n"))
    closes_after_answer("HTTP/1.0 without keep-alive is answered then closed",
                        req("ListStreams", "{}").replace(b"HTTP/1.1", b"HTTP/1.0", 1))
    # pipelining: 10 requests in one write, 10 answers in order
    try:
        s = connect()
        s.sendall(b"".join(req("DescribeStreamSummary", '{"StreamName":"pipe-%d"}' % i) for i in range(10)))
        rd, ok, detail = Reader(s), True, ""
        for i in range(10):
            r = rd.response()
            if r is None or r[0] != 400 or ("pipe-%d " % i).encode() not in r[2]:
                ok, detail = False, "answer %d: %r" % (i, r)
                break
        s.close()
        result("10 pipelined requests answered in order", ok, detail)
    except (OSError, TimeoutError) as e:
        result("10 pipelined requests answered in order", False, repr(e))
    print("robustness: flood done in %.1f s" % (time.monotonic() - t0), flush=True)


def slowloris():
    """50 connections dribble a request head for ~3 s; a normal request meanwhile is answered."""
    conns = []
    head = req("ListStreams", "{}")
    for _ in range(50):
        try:
            conns.append(connect(10))
        except OSError as e:
            result("slowloris connect", False, repr(e))
            break
    t0 = time.monotonic()
    pos = 0
    answered = None
    while time.monotonic() - t0 < 3 and pos < len(head) - 5:
        for c in conns:
            try:
                c.sendall(head[pos:pos + 1])
            except OSError:
                pass
        pos += 1
        if answered is None and time.monotonic() - t0 > 1:
            t1 = time.monotonic()
            try:
                s = connect(5)
                s.sendall(req("ListStreams", "{}"))
                r = read_response(s, 5)
                s.close()
                answered = (r is not None and r[0] == 200, time.monotonic() - t1, r)
            except (OSError, TimeoutError) as e:
                answered = (False, time.monotonic() - t1, repr(e))
        time.sleep(0.1)
    result("normal request answered while 50 slow clients dribble headers", bool(answered and answered[0]),
           "answer: %r" % (answered,))
    for c in conns:
        c.close()


def many_connections(n=1000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n + 200)) if hard != resource.RLIM_INFINITY else max(soft, n + 200)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < n + 50:
        result("raise RLIMIT_NOFILE", False, "soft limit %d < %d and the hard limit is %d" % (soft, n + 50, hard))
        return
    t0 = time.monotonic()
    sel = selectors.DefaultSelector()
    socks = []
    try:
        for i in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((HOST, PORT))
            socks.append(s)
            sel.register(s, selectors.EVENT_WRITE, [i, req("DescribeStreamSummary", '{"StreamName":"c%d"}' % i), b""])
        done, good = 0, 0
        deadline = time.monotonic() + 60
        while done < n and time.monotonic() < deadline:
            for key, ev in sel.select(timeout=1):
                s, st = key.fileobj, key.data
                if ev & selectors.EVENT_WRITE:
                    try:
                        sent = s.send(st[1])
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        sel.unregister(s)
                        done += 1
                        continue
                    st[1] = st[1][sent:]
                    if not st[1]:
                        sel.modify(s, selectors.EVENT_READ, st)
                elif ev & selectors.EVENT_READ:
                    try:
                        chunk = s.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        chunk = b""
                    st[2] += chunk
                    head, sep, body = st[2].partition(b"\r\n\r\n")
                    if sep:
                        cl = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
                        need = int(cl[0].split(b":")[1]) if cl else 0
                        if len(body) >= need:
                            sel.unregister(s)
                            done += 1
                            if head.startswith(b"HTTP/1.1 400") and (b"c%d " % st[0]) in body:
                                good += 1
                            continue
                    if not chunk:
                        sel.unregister(s)
                        done += 1
        result("1000 simultaneous connections each answered", good == n,
               "%d of %d connections got their own 400 ResourceNotFoundException answer within 60 s (%d finished)"
               % (good, n, done))
        print("robustness: %d connections in %.1f s" % (n, time.monotonic() - t0), flush=True)
    finally:
        for s in socks:
            s.close()
        sel.close()


def normal_client():
    import boto3
    from botocore.config import Config
    k = boto3.client("kinesis", endpoint_url="http://%s:%d" % (HOST, PORT), region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test",
                     config=Config(retries={"max_attempts": 1}, read_timeout=10))
    name = "after-flood"
    try:
        k.create_stream(StreamName=name, ShardCount=1)
        k.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150})
        seq = k.put_record(StreamName=name, PartitionKey="p", Data=b"still here")["SequenceNumber"]
        it = k.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = k.get_records(ShardIterator=it)["Records"]
        ok = [(r["Data"], r["SequenceNumber"]) for r in recs] == [(b"still here", seq)]
        result("normal boto3 client after the flood", ok, "records: %r" % recs)
        k.delete_stream(StreamName=name)
    except Exception as e:  # noqa: BLE001
        result("normal boto3 client after the flood", False, repr(e))


def main():
    signal.alarm(300)  # the whole test is bounded
    alive("server answers before the flood")
    flood()
    alive("server alive after the flood")
    slowloris()
    alive("server alive after the slow clients")
    many_connections()
    alive("server alive after 1000 connections")
    normal_client()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
