#!/usr/bin/python3
"""Run one API test against a fresh `sluice serve`, then stop the server by its PID.

usage: with_server.py --sluice BIN [--timeout S] -- COMMAND [ARG...]
       with_server.py --endpoint URL [--timeout S] -- COMMAND [ARG...]

With --sluice: makes a temporary data directory, starts
`BIN serve --data DIR --listen 127.0.0.1:0`, waits (at most 30 s) for the line
`sluice: listening on 127.0.0.1:PORT` on its stdout, runs COMMAND with
SLUICE_ENDPOINT=http://127.0.0.1:PORT and SLUICE_PID=<pid> in its environment, then sends
SIGTERM to that PID and waits (at most 20 s) for a clean exit (status 0). The test fails if
COMMAND fails, if the server died during the test, or if it does not stop cleanly on SIGTERM;
the server's stderr is printed in that case. The data directory is removed at the end.

With --endpoint: runs COMMAND against a server that is already running (for example
kinesalite while debugging a test); nothing is started or stopped.
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
import threading
import time

LISTEN_RE = re.compile(rb"^sluice: listening on 127\.0\.0\.1:(\d+)\s*$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sluice")
    ap.add_argument("--endpoint")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd or bool(a.sluice) == bool(a.endpoint):
        ap.error("give exactly one of --sluice BIN or --endpoint URL, then -- COMMAND")

    if a.endpoint:
        env = dict(os.environ, SLUICE_ENDPOINT=a.endpoint)
        env.pop("SLUICE_PID", None)
        return subprocess.run(cmd, env=env, timeout=a.timeout).returncode

    data = tempfile.mkdtemp(prefix="sluice-api-")
    errpath = os.path.join(tempfile.gettempdir(), "sluice-api-%d.stderr" % os.getpid())
    errf = open(errpath, "wb")
    srv = subprocess.Popen([a.sluice, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=errf, stdin=subprocess.DEVNULL)
    failed = []
    run(a, cmd, srv, data, errf, errpath, failed)
    return 1 if failed else 0


def run(a, cmd, srv, data, errf, errpath, failed):
    try:
        port = None
        deadline = time.monotonic() + 30
        buf = b""
        while port is None and time.monotonic() < deadline:
            r, _, _ = select.select([srv.stdout], [], [], 0.5)
            if r:
                chunk = os.read(srv.stdout.fileno(), 4096)
                if not chunk:
                    break
                buf += chunk
                for line in buf.split(b"\n"):
                    m = LISTEN_RE.match(line)
                    if m:
                        port = int(m.group(1))
            elif srv.poll() is not None:
                break
        if port is None:
            failed.append("server did not print 'sluice: listening on 127.0.0.1:PORT' within 30 s "
                          "(stdout so far: %r)" % buf[-400:])
            return

        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: srv.stdout.read(), daemon=True).start()
        env = dict(os.environ, SLUICE_ENDPOINT="http://127.0.0.1:%d" % port, SLUICE_PID=str(srv.pid))
        print("with_server: sluice pid %d on 127.0.0.1:%d, data %s" % (srv.pid, port, data), flush=True)
        try:
            rc = subprocess.run(cmd, env=env, timeout=a.timeout).returncode
        except subprocess.TimeoutExpired:
            failed.append("test command timed out after %.0f s" % a.timeout)
            rc = 1
        if rc != 0:
            failed.append("test command exited with %d" % rc)
        if srv.poll() is not None:
            failed.append("server died during the test (exit status %d)" % srv.returncode)
    finally:
        if srv.poll() is None:
            os.kill(srv.pid, signal.SIGTERM)
            try:
                st = srv.wait(timeout=20)
                if st != 0:
                    failed.append("server exited with status %d after SIGTERM (expected 0)" % st)
            except subprocess.TimeoutExpired:
                os.kill(srv.pid, signal.SIGKILL)
                srv.wait()
                failed.append("server did not stop within 20 s of SIGTERM (killed)")
        errf.close()
        if failed:
            print("with_server: FAILED: " + "; ".join(failed), file=sys.stderr)
            with open(errpath, "rb") as f:
                tail = f.read()[-6000:]
            if tail:
                sys.stderr.write("---- server stderr (tail) ----\n")
                sys.stderr.write(tail.decode("utf-8", "replace"))
                sys.stderr.write("\n------------------------------\n")
        os.unlink(errpath)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
