#!/usr/bin/env python3
"""Writes the seed corpus (fuzz/corpus/<target>/*) from the examples below and the repository's
examples/ and schemas/. Re-run after editing; the files it writes are committed."""
import json, os, pathlib, struct, yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def write(target, name, data):
    (HERE / target).mkdir(exist_ok=True)
    (HERE / target / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# http1: three parameter bytes (body limit / 4, head limit, read sizes), then the stream.
def http(name, *requests, params=b"\xff\xff\x07"):
    write("http1", name, params + b"".join(r.encode() if isinstance(r, str) else r for r in requests))


AUTH = "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
SIG = "&body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
EVENT = '{"name":"my-event","channels":["test-channel"],"data":"{\\"message\\":\\"hello\\"}"}'
BATCH = '{"batch":[{"channel":"a","name":"e","data":"1"},{"channel":"b","name":"e","data":"2","socket_id":"123.456"}]}'
post = lambda path, body, extra="": (
    f"POST {path}?{AUTH}{SIG} HTTP/1.1\r\nHost: localhost:6001\r\nContent-Type: application/json\r\n"
    f"{extra}Content-Length: {len(body)}\r\n\r\n{body}")
get = lambda path, extra="": f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n"
http("trigger", post("/apps/1001/events", EVENT))
http("batch", post("/apps/1001/batch_events", BATCH))
http("channels", get(f"/apps/1001/channels?filter_by_prefix=presence-&info=user_count&{AUTH}{SIG}"))
http("channel", get(f"/apps/1001/channels/presence-room?info=user_count,subscription_count&{AUTH}{SIG}"))
http("users", get(f"/apps/1001/channels/presence-room/users?{AUTH}{SIG}"))
http("terminate", post("/apps/1001/users/u1/terminate_connections", "{}"))
http("pipelined", get("/apps/1001/channels"), post("/apps/1001/events", EVENT), get("/health", "Connection: close\r\n"))
http("chunked", f"POST /apps/1001/events?{AUTH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     f"{len(EVENT) // 2:x}\r\n{EVENT[:len(EVENT) // 2]}\r\n{len(EVENT) - len(EVENT) // 2:x};ext=1\r\n"
     f"{EVENT[len(EVENT) // 2:]}\r\n0\r\nX-Trailer: yes\r\n\r\n", get("/ready"))
http("expect-continue", post("/apps/1001/events", EVENT, "Expect: 100-continue\r\n"))
http("websocket-upgrade", get("/app/278d425bdf160c739803?protocol=7&client=js&version=8.4.0&flash=false",
     "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
     "Sec-WebSocket-Version: 13\r\nOrigin: https://example.com\r\n"))
http("http10-keepalive", "\r\nGET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n")
http("bare-lf", "POST /apps/1/events HTTP/1.1\nHost: x\ncontent-length: 2\n\n{}GET /x HTTP/1.1\n\n")
http("small-limits", post("/apps/1001/events", EVENT), params=b"\x08\x02\x01")
http("smuggle", "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
http("bad-version", "GET / HTTP/2.0\r\n\r\n")
# Regression: a signed chunk size ("-1") used to trap the server (fuzz/crashes/http1).
http("regression-negative-chunk-size", "POST /apps/1001/events HTTP/1.1\r\nHost: x\r\n"
     "Transfer-Encoding: chunked\r\n\r\n-1\r\nx")

# websocket: one byte for the read sizes, then client frames (masked, as browsers send them).
def frame(payload, opcode=1, fin=True, mask=b"\x37\xfa\x21\x3d", rsv=0):
    payload = payload.encode() if isinstance(payload, str) else payload
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n, m = len(payload), 0x80 if mask else 0
    head += bytes([m | n]) if n < 126 else bytes([m | 126]) + struct.pack(">H", n) if n < 65536 else bytes([m | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws(name, *frames, seed=b"\x05"):
    write("websocket", name, seed + b"".join(frames))


SUB = '{"event":"pusher:subscribe","data":{"channel":"my-channel"}}'
PRIV = '{"event":"pusher:subscribe","data":{"auth":"278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4","channel":"private-foo"}}'
PRES = '{"event":"pusher:subscribe","data":{"auth":"key:sig","channel_data":"{\\"user_id\\":\\"10\\",\\"user_info\\":{\\"name\\":\\"Mr. Channels\\"}}","channel":"presence-foo"}}'
CLIENT = '{"event":"client-typing","channel":"private-foo","data":{"user":"bob","text":"h\\u00e9llo \\ud83d\\ude00"}}'
ws("subscribe", frame(SUB))
ws("subscribe-private", frame(PRIV), frame(CLIENT))
ws("subscribe-presence", frame(PRES), frame('{"event":"pusher:unsubscribe","data":{"channel":"presence-foo"}}'))
ws("ping-pong", frame('{"event":"pusher:ping","data":{}}'), frame(b"hi", opcode=9), frame(b"", opcode=10),
   frame('{"event":"pusher:pong"}'))
ws("signin", frame('{"event":"pusher:signin","data":{"auth":"key:sig","user_data":"{\\"id\\":\\"1\\"}"}}'))
ws("fragmented", frame(CLIENT[:20], fin=False), frame(b"x", opcode=9), frame(CLIENT[20:], opcode=0), seed=b"\x11")
ws("close", frame(SUB), frame(struct.pack(">H", 1000) + b"bye", opcode=8))
ws("close-bad", frame(b"\x03\xed\xff", opcode=8))
ws("long-16bit", frame('{"event":"client-big","channel":"private-a","data":"' + "x" * 300 + '"}'))
ws("binary", frame(b"\x00\x01\x02", opcode=2))
ws("unmasked", frame(SUB, mask=b""))
ws("invalid-utf8", frame(b'{"event":"client-x","channel":"c","data":"\xff\xfe"}'))
ws("not-json", frame("{\"event\": pusher:subscribe}"), frame('["event"]'), frame('{"event":"pusher:nope"}'))

# json: documents, including the round-trip corners (escapes, surrogates, number text).
docs = [SUB, PRIV, PRES, CLIENT, EVENT, BATCH, "null", "true", " false ", "0", "-0.0e+00", "1E400", "123456789012345678901234567890",
        '"\\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\ud83d\\ude00 \\u00e9 é 😀"', '"\\udc00"', "[]", "{}",
        '[1,[2,[3,[4,[]]]],{"a":{"b":{}}}]', '{"a":1,"a":2,"":null}', "[1.5e-10, -3, 0.25, 1e5]", '"\x7f"']
for i, d in enumerate(docs):
    write("json", f"doc{i:02}", d)

# manifest: files separated by NUL; the first one alone is the base revision.
def files(directory):
    return sorted(p for p in (ROOT / directory).iterdir() if p.suffix in (".yaml", ".yml"))

config = files("examples/config")
for p in config:
    write("manifest", f"config-{p.stem}", p.read_bytes())
write("manifest", "config-all", b"\0".join(p.read_bytes() for p in config))
for d in sorted((ROOT / "examples/invalid").iterdir()):
    write("manifest", f"invalid-{d.name}", b"\0".join(p.read_bytes() for p in files(d.relative_to(ROOT))))
write("manifest", "yaml-corners", "%YAML 1.1\n---\nkind: &k App\nother: *k\nlist: [1, 0o17, 0x1F, .inf, ~, !!binary aGk=]\n"
      "? complex\n: |-\n  block\n  text\n<<: {merge: true}\n...\n---\n'quoted': \"\\u263A\"\n")

# schema: `schema NUL instance`, or an instance alone (checked against the App and User schemas).
def sch(name, schema, instance):
    write("schema", name, (json.dumps(schema) + "\0" if schema is not None else "") + json.dumps(instance))


for p in config:
    for i, doc in enumerate(yaml.safe_load_all(p.read_text())):
        if doc is not None:
            sch(f"instance-{p.stem}-{i}", None, doc)
app = json.loads((ROOT / "schemas/app.schema.json").read_text())
sch("app-schema", app, {"apiVersion": "belfry.dev/v1", "kind": "App", "metadata": {"name": "x"}, "spec": {"id": 1}})
sch("types", {"type": ["object", "null"], "properties": {"n": {"type": "integer", "multipleOf": 0.5, "maximum": 10,
    "exclusiveMinimum": -1}, "s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+(-[a-z]+)*$"}},
    "required": ["n"], "additionalProperties": False}, {"n": 2.5, "s": "ab-c"})
sch("refs", {"$id": "https://example.com/root", "$defs": {"node": {"$anchor": "node", "type": "object",
    "properties": {"next": {"$ref": "#node"}}, "unevaluatedProperties": False}}, "$ref": "#/$defs/node"},
    {"next": {"next": {}}})
sch("combinators", {"anyOf": [{"const": 1}, {"enum": [[1], {"a": None}]}], "oneOf": [{"minimum": 0}, {"type": "array"}],
    "not": {"type": "string"}, "if": {"type": "number"}, "then": {"minimum": 1}, "else": {"minItems": 1}}, [1])
sch("arrays", {"prefixItems": [{"type": "string"}], "items": {"type": "number"}, "contains": {"const": 2},
    "minContains": 1, "maxContains": 2, "uniqueItems": True, "unevaluatedItems": False}, ["a", 1, 2])
sch("objects", {"patternProperties": {"^x-": True}, "propertyNames": {"maxLength": 8}, "dependentRequired": {"a": ["b"]},
    "dependentSchemas": {"c": {"required": ["d"]}}, "minProperties": 1, "maxProperties": 3}, {"a": 1, "b": 2, "x-y": 3})
sch("boolean", False, None)
sch("cycle", {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, 1)


# cluster: an even first byte (its half is the chunk size) and RESP replies; an odd first byte
# and a bus envelope (node id, kind, netstring fields).
write("cluster", "resp-array", b"\x08*3\r\n$7\r\nmessage\r\n$3\r\nbus\r\n$5\r\nhello\r\n")
write("cluster", "resp-nested", b"\x02*8\r\n:0\r\n:1\r\n:1\r\n*3\r\n$2\r\nu1\r\n$0\r\n\r\n$1\r\n1\r\n*0\r\n*0\r\n*0\r\n:1\r\n")
write("cluster", "resp3", b"\x10%1\r\n+server\r\n+redis\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\np\r\n_\r\n#t\r\n,1.5\r\n")
write("cluster", "resp-error", b"\x04-NOSCRIPT No matching script\r\n")
NODE = b"ab" * 16
write("cluster", "envelope-channel", b"\x01B1" + NODE + b"c5:app-19:private-x3:1.21:00:0:13:{\"event\":\"e\"}")
write("cluster", "envelope-cache", b"\x01B1" + NODE + b"c1:a7:cache-y0:1:12:ev3:x\ny4:abcd")
write("cluster", "envelope-user", b"\x03B1" + NODE + b"u1:a2:u13:1.21:x")
write("cluster", "envelope-terminate", b"\x05B1" + NODE + b"t1:a1:u")
write("cluster", "envelope-member", b"\x07B1" + NODE + b"m1:a10:presence-p2:u11:113:{\"name\":\"A\"}")
write("cluster", "envelope-resynced", b"\x09B1" + NODE + b"r")
