#!/usr/bin/python3
"""Extract the HTTP requests and recorded responses of spec/kinesis-wire-samples.txt into
replay-samples.json (the data file replay.py uses). Run again only when the samples file changes:

    /usr/bin/python3 tests/api/extract_samples.py ../shared/spec/kinesis-wire-samples.txt \
        > tests/api/replay-samples.json

Taken: sections 1-3 (HTTP/1.1 captures of the aws CLI and boto3), 4b (JS v3 requests, decoded from
HTTP/2; replayed over HTTP/1.1 with the same headers and bodies) and 7 (curl). Left out, each with
its reason in the "skipped" list of the output: section 5 (event-stream frames) and 6 (CBOR), the
HTTP/2 preface sent to kinesalite, and the section 7 probes whose answer the spec leaves to us.
"""
import json
import re
import sys

FULL_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDLOCALDUMMY/20261122/us-east-1/kinesis/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)
SKIP_CURL = {
    "no Authorization header": "spec 0.4: a missing Authorization header may simply be accepted",
    "GET /": "spec 3: the XML 403 for a non-POST is kinesalite's, not required of us",
    "wrong Content-Type (text/plain)": "spec 9.2: other content types may be rejected like AWS or accepted",
}


def parse_http_request(text):
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = []
    for ln in lines[1:]:
        k, _, v = ln.partition(": ")
        headers.append([k, v])
    return method, path, headers, body.strip("\n")


def parse_http_response(text):
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    status = int(lines[0].split(" ")[1])
    ctype = ""
    for ln in lines[1:]:
        k, _, v = ln.partition(": ")
        if k.lower() == "content-type":
            ctype = v
    return status, ctype, body.strip("\n")


def target_of(headers):
    for k, v in headers:
        if k.lower() == "x-amz-target":
            return v.split(".", 1)[1]
    return None


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    out, skipped = [], []
    # --- sections 1-3 (before section 4) and 4b (h2 decoded)
    sec4 = text.index("# 4. @aws-sdk")
    sec5 = text.index("# 5. SubscribeToShard")
    sec7 = text.index("# 7. curl")
    part = text[:sec4]
    section = 0
    name = None
    blocks = re.split(r"^(=== .*? ===|######## (?!command).*|# \d\. .*)$", part, flags=re.M)
    pending = None
    for i in range(1, len(blocks), 2):
        marker, content = blocks[i], blocks[i + 1]
        m = re.match(r"# (\d)\. ", marker)
        if m:
            section = int(m.group(1))
            continue
        if marker.startswith("######## "):
            name = marker[9:].strip()
            continue
        m = re.match(r"=== conn (\d+) (CLIENT->SERVER|SERVER->CLIENT)", marker)
        if not m:
            continue
        conn, direction = int(m.group(1)), m.group(2)
        content = content.strip("\n")
        content = content.split("\n\n\n")[0] if direction == "SERVER->CLIENT" else content
        if direction == "CLIENT->SERVER":
            if content.startswith("PRI * HTTP/2.0"):
                skipped.append({"section": section, "conn": conn,
                                "reason": "HTTP/2 preface sent to the HTTP/1.1-only kinesalite (reference only)"})
                pending = "skip"
                continue
            body_text = content.split("\n\n\n")[0]
            method, path, headers, body = parse_http_request(body_text)
            pending = {"name": name, "section": section, "conn": "s%d-c%d" % (section, conn),
                       "method": method, "path": path, "target": target_of(headers),
                       "headers": headers, "body": body}
        else:
            if pending == "skip" or pending is None:
                pending = None
                continue
            status, ctype, body = parse_http_response(content)
            pending.update(status=status, content_type=ctype, response=body)
            out.append(pending)
            pending = None

    # --- section 4b: h2 requests decoded
    part = text[sec4:sec5]
    reqs = re.split(r"^=== h2 conn (\d+) stream 1 (REQUEST|RESPONSE).*===$", part, flags=re.M)
    pending = None
    for i in range(1, len(reqs), 3):
        conn, kind, content = reqs[i], reqs[i + 1], reqs[i + 2].strip("\n")
        head, _, body = content.partition("\n\n")
        hdrs = [ln.split(": ", 1) for ln in head.split("\n") if ": " in ln]
        body = body.split("\n\n")[0].strip("\n")
        if kind == "REQUEST":
            headers = [[k, v] for k, v in hdrs if not k.startswith(":")]
            pending = {"name": "js-v3 " + target_of(headers), "section": 4, "conn": "s4-c%s" % conn,
                       "method": "POST", "path": "/", "target": target_of(headers), "headers": headers,
                       "body": body}
        else:
            status = int(dict(hdrs)[":status"])
            pending.update(status=status, content_type=dict(hdrs).get("content-type", ""), response=body)
            out.append(pending)
            pending = None
    skipped.append({"section": 5, "reason": "event-stream frames over HTTP/2 (covered by test_boto3.py)"})
    skipped.append({"section": 6, "reason": "CBOR is Java-only and not required yet (spec 1.3, 9.2)"})

    # --- section 7: curl
    part = text[sec7:]
    for blk in re.split(r"^### ", part, flags=re.M)[1:]:
        title, _, rest = blk.partition("\n")
        resp = rest.strip("\n").split("\n\n\n")[0]
        if not title.startswith("curl "):
            skipped.append({"section": 7, "name": title, "reason": SKIP_CURL.get(title, "not a request")})
            continue
        hdrs = re.findall(r"-H '([^']*)'", title)
        data = re.search(r"--data '([^']*)'", title).group(1)
        # the samples file abbreviates curl's Authorization header; send a complete (dummy) one
        headers = [h.split(": ", 1) for h in hdrs]
        headers = [[k, FULL_AUTH if k == "Authorization" and v.endswith("Credential=...") else v]
                   for k, v in headers]
        status, ctype, body = parse_http_response(resp)
        out.append({"name": "curl " + target_of(headers) + " " + data, "section": 7, "conn": "s7",
                    "method": "POST", "path": "/", "target": target_of(headers), "headers": headers,
                    "body": data, "status": status, "content_type": ctype, "response": body})

    json.dump({"source": "spec/kinesis-wire-samples.txt", "samples": out, "skipped": skipped},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
