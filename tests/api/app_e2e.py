#!/usr/bin/python3
"""End to end through the Kinesis API: `sluice run APP.sql` deploys an application whose input
reads the data stream "clicks"; boto3 puts JSON records into it; the application's outputs write
rows into the data streams "slow_clicks" (a filter) and "page_counts" (a 1-second tumbling
count that the wall clock closes, with no further record); boto3 reads both back.

usage: /usr/bin/python3 tests/api/app_e2e.py --sluice BIN

Starts BIN run APP --data DIR --listen 127.0.0.1:0 (DIR a fresh temporary directory), stops it
with SIGTERM by its PID (clean exit within 20 s required). Every wait is bounded. Prints
"N passed, N failed"; exit status 1 on any failure.
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

APP = """
CREATE INPUT "SOURCE_SQL_STREAM" FROM STREAM "clicks" FORMAT JSON COLUMNS (
  "page" VARCHAR(32) PATH '$.page', "user" VARCHAR(16) PATH '$.user', "ms" INTEGER PATH '$.ms');
CREATE STREAM "SLOW" ("page" VARCHAR(32), "user" VARCHAR(16), "ms" INTEGER);
CREATE PUMP "SLOW_PUMP" AS INSERT INTO "SLOW"
  SELECT STREAM "page", "user", "ms" FROM "SOURCE_SQL_STREAM_001" WHERE "ms" > 100;
CREATE STREAM "COUNTS" ("page" VARCHAR(32), "views" BIGINT);
CREATE PUMP "COUNT_PUMP" AS INSERT INTO "COUNTS"
  SELECT STREAM "page", COUNT(*) FROM "SOURCE_SQL_STREAM_001" AS s
  GROUP BY "page", STEP(s.ROWTIME BY INTERVAL '1' SECOND);
CREATE OUTPUT slow_out FROM "SLOW" TO STREAM "slow_clicks" FORMAT JSON;
CREATE OUTPUT count_out FROM "COUNTS" TO STREAM "page_counts" FORMAT CSV;
"""

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail), flush=True)


def start(binary, app, data):
    p = subprocess.Popen([binary, "run", app, "--data", data, "--listen", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    buf, end = b"", time.monotonic() + 30
    while time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            m = re.search(rb"sluice: listening on 127\.0\.0\.1:(\d+)\s*\n", buf)
            if m:
                return p, int(m.group(1))
        elif p.poll() is not None:
            break
    stop(p)
    raise SystemExit("app_e2e.py: sluice run did not start within 30 s: %r" % buf[-300:])


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None
    return p.returncode


def read_all(k, name):
    """Every record of every shard of the stream, in arrival order."""
    out = []
    for sh in k.list_shards(StreamName=name)["Shards"]:
        it = k.get_shard_iterator(StreamName=name, ShardId=sh["ShardId"],
                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(100):
            r = k.get_records(ShardIterator=it, Limit=1000)
            out += [(x["ApproximateArrivalTimestamp"], x["SequenceNumber"], x["Data"])
                    for x in r["Records"]]
            if not r["Records"] or r.get("MillisBehindLatest", 0) == 0:
                break
            it = r["NextShardIterator"]
    out.sort()
    return [d for _, _, d in out]


def wait_records(k, name, n, seconds=20):
    deadline = time.monotonic() + seconds
    got = []
    while time.monotonic() < deadline:
        try:
            got = read_all(k, name)
        except k.exceptions.ResourceNotFoundException:
            got = []
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sluice-app-")
    app = os.path.join(tmp, "clicks_app.sql")
    with open(app, "w") as f:
        f.write(APP)
    data = os.path.join(tmp, "data")
    p, port = start(args.sluice, app, data)
    try:
        k = boto3.client("kinesis", endpoint_url="http://127.0.0.1:%d" % port,
                         region_name="us-east-1", aws_access_key_id="test",
                         aws_secret_access_key="test",
                         config=Config(retries={"max_attempts": 1}, read_timeout=10))
        clicks = [{"page": "/home", "user": "u%d" % i, "ms": 50 + 30 * i} for i in range(10)]
        clicks += [{"page": "/cart", "user": "u%d" % i, "ms": 20 * i} for i in range(5)]
        r = k.put_records(StreamName="clicks",
                          Records=[{"Data": json.dumps(c).encode(), "PartitionKey": c["user"]}
                                   for c in clicks])
        check("put_records accepted", r["FailedRecordCount"] == 0, r)
        # a record that does not decode goes to error_stream, not to the outputs
        k.put_record(StreamName="clicks", Data=b'{"page": "/x", "ms": "slow"}', PartitionKey="z")

        want_slow = [c for c in clicks if c["ms"] > 100]
        got = wait_records(k, "slow_clicks", len(want_slow))
        rows = [json.loads(d) for d in got]
        check("filtered rows as JSON, keys as stored", rows == want_slow,
              "got %r want %r" % (rows, want_slow))

        # an in-application stream is readable through the API as APPLICATION.STREAM, its
        # rows rendered as the JSON objects an output writes
        got = wait_records(k, "clicks_app.SLOW", len(want_slow))
        rows = [json.loads(d) for d in got]
        check("in-application stream read as JSON", rows == want_slow,
              "got %r want %r" % (rows, want_slow))

        # the counts close when the wall clock passes the window end, with no further record
        counts, deadline = {}, time.monotonic() + 20
        while time.monotonic() < deadline and sum(counts.values()) < 15:
            counts = {}
            for d in wait_records(k, "page_counts", 1, seconds=1):
                page, views = d.decode().rstrip("\n").split(",")
                counts[page] = counts.get(page, 0) + int(views)
        check("tumbling counts emitted by the clock", counts == {"/home": 10, "/cart": 5},
              "got %r" % counts)
    finally:
        rc = stop(p)
        check("clean exit on SIGTERM", rc == 0, "exit status %r" % rc)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
