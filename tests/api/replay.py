#!/usr/bin/python3
"""Replay the real clients' requests of spec/kinesis-wire-samples.txt (extracted into
replay-samples.json by extract_samples.py) against a running sluice over raw HTTP/1.1, and check
that every response has the recorded shape: same HTTP status, same __type for errors, and for
successes the same keys with the same JSON types, recursively.

usage: SLUICE_ENDPOINT=http://127.0.0.1:PORT /usr/bin/python3 tests/api/replay.py [-v]

Rules, because the recorded answers come from the emulators, not from AWS:
* values are not compared (the stream has other shards, times, sequence numbers), only shapes;
  all JSON numbers are one type (timestamps may be integral or fractional epoch seconds);
* a recorded `null` member is optional (absent or any type in ours);
* ours may carry extra members only if the botocore Kinesis model knows the member name;
* recorded `Tags: {}` inside ConsumerDescription is kinesis-mock's own and is not required;
* a list recorded non-empty must be non-empty in ours, every element shaped like the first
  recorded one;
* values the server chose (sequence numbers, shard iterators, consumer ARNs) are carried into later
  requests: a recorded value seen in a recorded response is replaced by the value at the same place
  in our response;
* before a request that names a stream (or consumer) the replayer waits, at most 30 s, until it is
  ACTIVE or absent, so the replay does not depend on how long CREATING/UPDATING last;
* overrides where the recording contradicts the spec are listed in OVERRIDES below.
Requests of one recorded connection reuse one keep-alive connection (boto3's section does).
Prints "N passed, N failed".
"""
import glob
import http.client
import json
import os
import sys
import time
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
EP = urlparse(os.environ["SLUICE_ENDPOINT"])
VERBOSE = "-v" in sys.argv

# name of a sample -> replacement expectation (the spec is normative, the emulator was not)
OVERRIDES = {
    # kinesalite lacked DescribeLimits; the spec (section 2) requires it: shape of kinesis-mock's answer
    "ERROR_UnknownOperation_DescribeLimits": {"status": 200, "like": "DescribeLimits"},
}
SKIP = {
    # the CLI only sent this page because kinesis-mock left a dangling NextToken (spec 6, pagination quirks)
    ("ListStreamConsumers", '"NextToken": "wire-consumer"'): "follow-up of kinesis-mock's dangling NextToken",
}
# recorded members that are not required: kinesis-mock's dangling NextToken on the last page
OPTIONAL = {"ListStreamConsumers": {"NextToken"}}
CARRY = {"SequenceNumber", "ShardIterator", "NextShardIterator", "ConsumerARN", "StartingSequenceNumber",
         "ContinuationSequenceNumber"}


def model_member_names():
    names = set()
    paths = glob.glob("/usr/lib/python3/dist-packages/botocore/data/kinesis/*/service-2.json") + \
        glob.glob("/usr/lib/python3/dist-packages/awscli/botocore/data/kinesis/*/service-2.json")
    for p in paths:
        with open(p) as f:
            for shape in json.load(f)["shapes"].values():
                names.update(shape.get("members", {}))
    names.update({"message", "Message", "__type"})
    return names


KNOWN = model_member_names()


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {str: "string", list: "list", dict: "object"}[type(v)]


def shape_diff(rec, ours, path, out, parent_key="", optional=()):
    if rec is None:
        return
    if jtype(rec) != jtype(ours):
        out.append("%s: recorded %s, got %s (%r)" % (path or "$", jtype(rec), jtype(ours), ours))
        return
    if isinstance(rec, dict):
        for key, rv in rec.items():
            if rv is None or (path == "" and key in optional):
                continue
            if key == "Tags" and path.endswith("ConsumerDescription"):
                continue
            if key not in ours:
                out.append("%s.%s: missing" % (path, key))
                continue
            shape_diff(rv, ours[key], "%s.%s" % (path, key), out, key)
        for key in ours:
            if key not in rec and key not in KNOWN:
                out.append("%s.%s: extra member unknown to the Kinesis model" % (path, key))
    elif isinstance(rec, list):
        if rec and not ours:
            out.append("%s: recorded a non-empty list, got []" % path)
        if rec:
            for i, v in enumerate(ours):
                shape_diff(rec[0], v, "%s[%d]" % (path, i), out, parent_key)


def carry(rec, ours, mapping):
    """Record recorded->ours for server-chosen values at the same place in both responses."""
    if isinstance(rec, dict) and isinstance(ours, dict):
        for key, rv in rec.items():
            if key in ours:
                if key in CARRY and isinstance(rv, str) and isinstance(ours[key], str):
                    mapping[rv] = ours[key]
                else:
                    carry(rv, ours[key], mapping)
    elif isinstance(rec, list) and isinstance(ours, list):
        for rv, ov in zip(rec, ours):
            carry(rv, ov, mapping)


class Conn:
    def __init__(self):
        self.c = None

    def request(self, method, path, headers, body):
        for attempt in range(2):
            if self.c is None:
                self.c = http.client.HTTPConnection(EP.hostname, EP.port, timeout=30)
            try:
                self.c.request(method, path, body=body, headers=headers)
                r = self.c.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.c.close()
                    self.c = None
                return r.status, r.getheader("Content-Type", ""), data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.c.close()
                self.c = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def call(conn, target, body):
    h = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202." + target,
         "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDLOCALDUMMY/20261122/us-east-1/kinesis/aws4_request, "
                          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
         "X-Amz-Date": "20261122T000000Z"}
    st, _, data = conn.request("POST", "/", h, json.dumps(body).encode())
    return st, (json.loads(data) if data else {})


def settle(conn, body):
    """Wait (<= 30 s) until the stream / consumer named in body is ACTIVE or absent."""
    deadline = time.monotonic() + 30
    if "ConsumerARN" in body:
        while time.monotonic() < deadline:
            st, r = call(conn, "DescribeStreamConsumer", {"ConsumerARN": body["ConsumerARN"]})
            if st != 200 or r["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
    name = body.get("StreamName") or (body.get("StreamARN") or "").partition(":stream/")[2]
    if not name:
        return
    while time.monotonic() < deadline:
        st, r = call(conn, "DescribeStreamSummary", {"StreamName": name})
        if st != 200 or r["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.1)


def main():
    with open(os.path.join(HERE, "replay-samples.json")) as f:
        data = json.load(f)
    samples = data["samples"]
    by_target = {s["target"]: s for s in samples if s["status"] == 200 and s["response"]}
    conns, mapping = {}, {}
    side = Conn()
    passed = failed = skipped = 0
    for s in samples:
        label = "§%d %s [%s]" % (s["section"], s["name"], s["target"])
        if any(s["target"] == t and frag in s["body"] for t, frag in SKIP):
            skipped += 1
            if VERBOSE:
                print("skip", label)
            continue
        body = s["body"]
        for old, new in mapping.items():
            body = body.replace(old, new)
        try:
            settle(side, json.loads(body))
        except ValueError:
            pass  # malformed on purpose
        headers = {}
        for k, v in s["headers"]:
            if k.lower() in ("host", "content-length"):
                continue
            headers[k] = v
        headers["Host"] = "%s:%d" % (EP.hostname, EP.port)
        conn = conns.setdefault(s["conn"], Conn())
        if s["section"] in (1, 3, 4, 7):
            conn = Conn()  # the CLI, curl and (in that capture) JS v3 used one connection per request
        want_status, want_body = s["status"], s["response"]
        ov = OVERRIDES.get(s["name"])
        if ov:
            want_status, want_body = ov["status"], by_target[ov["like"]]["response"]
        problems = []
        try:
            st, ctype, raw = conn.request(s["method"], s["path"], headers, body.encode())
        except Exception as e:  # noqa: BLE001 — a dropped connection is a test failure, not a crash
            st, ctype, raw = None, "", b""
            problems.append("request failed: %r" % e)
        if st is not None:
            if st != want_status:
                problems.append("status %s, recorded %d" % (st, want_status))
            if want_body == "":
                if raw != b"":
                    problems.append("recorded an empty body, got %r" % raw[:200])
            else:
                if not ctype.startswith("application/x-amz-json-1.1"):
                    problems.append("content type %r" % ctype)
                try:
                    ours = json.loads(raw)
                    rec = json.loads(want_body)
                except ValueError as e:
                    problems.append("body is not JSON (%s): %r" % (e, raw[:200]))
                    ours = rec = None
                if rec is not None:
                    if "__type" in rec:
                        if ours.get("__type") != rec["__type"]:
                            problems.append("__type %r, recorded %r" % (ours.get("__type"), rec["__type"]))
                        msg = [k for k in ("message", "Message") if k in ours]
                        if "message" in rec or "Message" in rec:
                            if not msg or not isinstance(ours[msg[0]], str):
                                problems.append("no message string in %r" % ours)
                        extra = set(ours) - {"__type", "message", "Message"}
                        if extra:
                            problems.append("extra members in an error: %s" % sorted(extra))
                    else:
                        shape_diff(rec, ours, "", problems, optional=OPTIONAL.get(s["target"], ()))
                        carry(rec, ours, mapping)
        if problems:
            failed += 1
            print("FAIL %s\n  request: %s\n  response: %s %r\n  %s" % (
                label, body[:300], st, raw[:600], "\n  ".join(problems)))
        else:
            passed += 1
            if VERBOSE:
                print("ok  ", label)
    print("replay: %d samples, %d skipped here, %d left out when extracting" % (
        len(samples), skipped, len(data["skipped"])))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
