#!/usr/bin/python3
"""What boto3 wrote survives a clean restart of `sluice serve` on the same data directory.

usage: /usr/bin/python3 tests/api/restart.py --sluice BIN

Starts `BIN serve --data DIR --listen 127.0.0.1:0` (DIR a fresh temporary directory), writes through
boto3 (records with binary data, a split, tags, retention, encryption, enhanced monitoring, stream
mode, a consumer), stops the server with SIGTERM (it must exit 0 within 20 s), starts it again on the
same DIR and checks through boto3 that everything acknowledged is still there, unchanged: every
record with its sequence number and data, shard lineage and hash ranges, tags, retention, encryption,
metrics, consumers; that writes continue with larger sequence numbers; and that a second SIGTERM
also stops it cleanly. Each server is stopped by its PID. Prints "N passed, N failed".
"""
import argparse
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

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail), flush=True)


def start(binary, data):
    p = subprocess.Popen([binary, "serve", "--data", data, "--listen", "127.0.0.1:0"],
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
    raise SystemExit("restart.py: server did not start listening within 30 s: %r" % buf[-300:])


def stop(p):
    if p.poll() is not None:
        return p.returncode
    os.kill(p.pid, signal.SIGTERM)
    try:
        return p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        return "killed after 20 s"


def client(port):
    return boto3.client("kinesis", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, read_timeout=30))


def wait_active(k, name):
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
            return
        time.sleep(0.1)
    raise AssertionError("%s not ACTIVE within 30 s" % name)


def snapshot(k, name, arn):
    """Everything the API shows about the stream, in a comparable form."""
    shards = k.list_shards(StreamName=name)["Shards"]
    records = {}
    for s in shards:
        it = k.get_shard_iterator(StreamName=name, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"]
        out = []
        for _ in range(100):
            r = k.get_records(ShardIterator=it, Limit=10000)
            out += [(x["SequenceNumber"], x["PartitionKey"], x["Data"],
                     round(x["ApproximateArrivalTimestamp"].timestamp(), 3)) for x in r["Records"]]
            it = r.get("NextShardIterator")
            if not it or (not r["Records"] and r["MillisBehindLatest"] == 0):
                break
        records[s["ShardId"]] = out
    summ = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    summ.pop("StreamCreationTimestamp")  # compared separately (datetime)
    consumers = [(c["ConsumerName"], c["ConsumerARN"], c["ConsumerStatus"])
                 for c in k.list_stream_consumers(StreamARN=arn)["Consumers"]]
    return {"shards": shards, "records": records, "summary": summ,
            "tags": k.list_tags_for_stream(StreamName=name)["Tags"], "consumers": consumers,
            "created": k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
                "StreamCreationTimestamp"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice", required=True)
    a = ap.parse_args()

    def overtime(signum, frame):
        raise TimeoutError("restart.py: over 250 s")

    signal.signal(signal.SIGALRM, overtime)  # bounded: the finally below still stops the server
    signal.alarm(250)
    data = tempfile.mkdtemp(prefix="sluice-restart-")
    p = None
    try:
        p, port = start(a.sluice, data)
        k = client(port)
        name = "durable"
        k.create_stream(StreamName=name, ShardCount=2)
        wait_active(k, name)
        arn = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        for i in range(20):
            k.put_records(StreamName=name, Records=[{"Data": bytes([i, 0, 255]) + b"r%d-%d" % (i, j),
                                                     "PartitionKey": "key-%d" % j} for j in range(50)])
        k.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
        wait_active(k, name)
        for i in range(5):
            k.put_record(StreamName=name, PartitionKey="after-split-%d" % i, Data=b"\x00" * i)
        k.add_tags_to_stream(StreamName=name, Tags={"env": "test", "team": "sql"})
        k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
        wait_active(k, name)
        k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        wait_active(k, name)
        k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        wait_active(k, name)
        k.register_stream_consumer(StreamARN=arn, ConsumerName="keeper")
        end = time.monotonic() + 30
        while time.monotonic() < end and k.describe_stream_consumer(StreamARN=arn, ConsumerName="keeper")[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            time.sleep(0.1)
        k.create_stream(StreamName="second", ShardCount=1)
        wait_active(k, "second")
        before = snapshot(k, name, arn)
        check("records were written", sum(len(v) for v in before["records"].values()) == 1005,
              {s: len(v) for s, v in before["records"].items()})

        st = stop(p)
        check("first SIGTERM stops the server cleanly", st == 0, "exit status %r" % st)
        p, port = start(a.sluice, data)
        k = client(port)
        names = k.list_streams()["StreamNames"]
        check("both streams are listed after the restart", names == ["durable", "second"], names)
        after = snapshot(k, name, arn)
        for part in ("shards", "summary", "tags", "consumers", "created"):
            check("%s unchanged across the restart" % part, after[part] == before[part],
                  "before %r\n  after  %r" % (before[part], after[part]))
        for sid in before["records"]:
            check("records of %s unchanged across the restart" % sid,
                  after["records"].get(sid) == before["records"][sid],
                  "%d records before, %d after; first difference at %r" % (
                      len(before["records"][sid]), len(after["records"].get(sid, [])),
                      next((i for i, (x, y) in enumerate(zip(before["records"][sid], after["records"].get(sid, [])))
                            if x != y), None)))
        last = max(int(r[0]) for r in before["records"]["shardId-000000000002"]) \
            if before["records"].get("shardId-000000000002") else 0
        r = k.put_record(StreamName=name, PartitionKey="alpha", Data=b"after restart")  # md5('alpha') < 2^126
        check("writes continue after the restart with a larger sequence number",
              r["ShardId"] == "shardId-000000000002" and int(r["SequenceNumber"]) > last, r)
        st = stop(p)
        check("second SIGTERM stops the server cleanly", st == 0, "exit status %r" % st)
        p = None
    finally:
        if p is not None:
            stop(p)
        shutil.rmtree(data, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
