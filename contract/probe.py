#!/usr/bin/env python3
"""Calls every operation of the OpenAPI spec on a running Prism and reports how Prism answers.

    python3 contract/probe.py [--spec SPEC] [--base-url URL] [--json OUT] [--dynamic SEED]

For each operation the request has its path, query and header parameters filled from the spec's
examples (else a placeholder of the right type), a request body taken from the spec's request
example (else a minimal body built from the required properties), and `Authorization: Bearer`
(left out with --no-auth). With --all-codes each operation is also called once per declared
non-2xx status, with `Prefer: code=N`.
Operations whose 200 response offers text/event-stream are called a second time with
`Accept: text/event-stream` (and `"stream": true` in the body).

It prints one line per call: operationId, status, content type, body size, and the
`sl-violations` entries (location and message), and with --json writes the full table. It is a
research tool for contract/README.md, not a test: it never fails on what Prism answers.
Standard library only.
"""

import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

METHODS = ("get", "put", "post", "delete", "patch")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "..", "..", "shared", "openapi", "openrouter-2026-10-30.openapi.json")


class Spec:
    def __init__(self, doc):
        self.doc = doc

    def deref(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ptr = node["$ref"].lstrip("#/").split("/")
            node = self.doc
            for part in ptr:
                node = node[part.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 50:
                raise ValueError("reference cycle")
        return node

    def minimal(self, schema, depth=0):
        """A small value that satisfies the schema's required parts."""
        schema = self.deref(schema)
        if depth > 12 or not isinstance(schema, dict):
            return None
        for key in ("example", "const", "default"):
            if key in schema:
                return schema[key]
        if schema.get("examples"):
            return schema["examples"][0]
        if schema.get("enum"):
            return schema["enum"][0]
        if "allOf" in schema:
            out = {}
            for part in schema["allOf"]:
                value = self.minimal(part, depth + 1)
                if isinstance(value, dict):
                    out.update(value)
            return out
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self.minimal(schema[key][0], depth + 1)
        ty = schema.get("type")
        if isinstance(ty, list):
            ty = next((t for t in ty if t != "null"), "null")
        if ty == "object" or (ty is None and "properties" in schema):
            props = schema.get("properties", {})
            return {
                name: self.minimal(props.get(name, {}), depth + 1)
                for name in schema.get("required", [])
            }
        if ty == "array":
            count = schema.get("minItems", 0)
            return [self.minimal(schema.get("items", {}), depth + 1) for _ in range(count)]
        if ty == "integer":
            return int(schema.get("minimum", 1))
        if ty == "number":
            return schema.get("minimum", 1)
        if ty == "boolean":
            return True
        if ty == "string":
            fmt = schema.get("format")
            if fmt == "uuid":
                return "00000000-0000-4000-8000-000000000000"
            if fmt == "date-time":
                return "2026-01-01T00:00:00Z"
            if fmt == "date":
                return "2026-01-01"
            if fmt in ("uri", "url"):
                return "https://example.com/"
            if fmt == "email":
                return "someone@example.com"
            return "x" * max(1, schema.get("minLength", 1))
        return None

    def param_value(self, param):
        if "example" in param:
            return param["example"]
        if param.get("examples"):
            first = next(iter(param["examples"].values()))
            return self.deref(first).get("value")
        value = self.minimal(param.get("schema", {}))
        return "placeholder" if value is None else value


def to_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def multipart(fields, schema, spec):
    """A multipart/form-data body: properties with format binary become file parts."""
    props = spec.deref(schema).get("properties", {})
    boundary = "probe" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        prop = spec.deref(props.get(name, {}))
        if prop.get("format") == "binary" or "contentMediaType" in prop:
            filename = value if isinstance(value, str) else "file.bin"
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            )
            parts.append(head.encode() + b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\r\n")
        else:
            values = value if isinstance(value, list) else [value]
            for item in values:
                head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                parts.append(head.encode() + to_text(item).encode() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def request_body(spec, op):
    body = spec.deref(op.get("requestBody", {}))
    content = body.get("content", {})
    if not content:
        return None, None, None
    ctype = next(iter(content))
    media = content[ctype]
    if "example" in media:
        value, source = media["example"], "request example"
    elif media.get("examples"):
        name, first = next(iter(media["examples"].items()))
        value, source = spec.deref(first).get("value"), f"request examples[{name}]"
    else:
        value = spec.minimal(media.get("schema", {}))
        source = "schema example" if "example" in spec.deref(media.get("schema", {})) else "minimal"
    if ctype.startswith("multipart/"):
        raw, ctype = multipart(value or {}, media.get("schema", {}), spec)
    elif ctype == "application/x-www-form-urlencoded":
        raw = urllib.parse.urlencode({k: to_text(v) for k, v in (value or {}).items()}).encode()
    else:
        raw = json.dumps(value).encode()
    return raw, ctype, source


def call(base, method, path, query, headers, body):
    url = base.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    req = urllib.request.Request(url, data=body, method=method.upper(), headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def violations(headers):
    raw = next((v for k, v in headers.items() if k.lower() == "sl-violations"), None)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return [{"location": ["?"], "message": raw[:300]}]


def probe(spec, base, op_filter, prefer, auth, all_codes):
    rows = []
    for path, item in spec.doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if not op or (op_filter and op["operationId"] not in op_filter):
                continue
            params = [spec.deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
            real_path, query, headers = path, {}, dict(auth)
            for param in params:
                if param["in"] == "path":
                    value = urllib.parse.quote(to_text(spec.param_value(param)), safe="")
                    real_path = real_path.replace("{" + param["name"] + "}", value)
                elif param.get("required") and param["in"] == "query":
                    query[param["name"]] = to_text(spec.param_value(param))
                elif param.get("required") and param["in"] == "header":
                    headers[param["name"]] = to_text(spec.param_value(param))
            body, ctype, source = request_body(spec, op)
            if ctype:
                headers["Content-Type"] = ctype
            if prefer:
                headers["Prefer"] = prefer
            variants = [("", headers, body)]
            if all_codes:
                # One call per declared status (Prefer: code=N), to check every response example.
                codes = [c for c in op["responses"] if c.isdigit() and not c.startswith("2")]
                variants += [(f"code={c}", dict(headers, Prefer=f"code={c}"), body) for c in codes]
            ok = spec.deref(op["responses"].get("200", {})).get("content", {})
            if "text/event-stream" in ok:
                stream_body = body
                if ctype == "application/json":
                    data = json.loads(body)
                    if isinstance(data, dict):
                        data["stream"] = True
                    stream_body = json.dumps(data).encode()
                variants.append(("sse", dict(headers, Accept="text/event-stream"), stream_body))
            for variant, hdrs, payload in variants:
                status, resp_headers, resp_body = call(base, method, real_path, query, hdrs, payload)
                rows.append(
                    {
                        "operationId": op["operationId"],
                        "variant": variant,
                        "method": method.upper(),
                        "path": real_path,
                        "body_source": source,
                        "status": status,
                        "content_type": next(
                            (v for k, v in resp_headers.items() if k.lower() == "content-type"), None
                        ),
                        "length": len(resp_body),
                        "sha256": hashlib.sha256(resp_body).hexdigest(),
                        "violations": violations(resp_headers),
                        "body_head": resp_body[:300].decode("utf-8", "replace"),
                    }
                )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=os.environ.get("OPENROUTER_OPENAPI_SPEC", DEFAULT_SPEC))
    ap.add_argument("--base-url", default="http://127.0.0.1:" + os.environ.get("PRISM_PORT", "4010"))
    ap.add_argument("--json", help="write the full table here")
    ap.add_argument("--prefer", help="a Prefer header for every call, e.g. 'dynamic=true, seed=1'")
    ap.add_argument("--all-codes", action="store_true", help="also ask for each non-2xx status")
    ap.add_argument("--no-auth", action="store_true", help="send no Authorization header")
    ap.add_argument("--op", action="append", help="only this operationId (repeatable)")
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = Spec(json.load(f))
    auth = {} if args.no_auth else {"Authorization": "Bearer sk-or-v1-probe"}
    rows = probe(spec, args.base_url, set(args.op or []), args.prefer, auth, args.all_codes)
    for row in rows:
        viol = "; ".join(
            f"{'.'.join(map(str, v.get('location', [])))}: {v.get('message')}" for v in row["violations"] or []
        )
        name = row["operationId"] + (f" [{row['variant']}]" if row["variant"] else "")
        print(f"{name}\t{row['status']}\t{row['content_type']}\t{row['length']}\t{viol or '-'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)
    clean = sum(1 for r in rows if r["status"] < 300 and not r["violations"])
    print(f"{len(rows)} calls, {clean} answered 2xx without violations", file=sys.stderr)


if __name__ == "__main__":
    main()
