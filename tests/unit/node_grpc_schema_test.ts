import assert from "node:assert/strict";
import { ENUMS, ENVELOPE_ID, MESSAGES, PAYLOAD } from "../../lib/node/grpc/messages.ts";
// The .proto is the schema of record; the codec's numbers must agree with it. A text import needs
// no read permission, so this stays a pure unit test.
import PROTO from "../../lib/node/grpc/kaspad.proto" with { type: "text" };

interface ProtoField {
  type: string;
  num: number;
  repeated: boolean;
  optional: boolean;
}

/** A minimal reader for the proto3 subset kaspad.proto uses (messages, oneofs, enums). */
function parseProto(text: string) {
  const clean = text.replace(/\/\/.*$/gm, "");
  const messages = new Map<string, Map<string, ProtoField>>();
  const enums = new Map<string, Map<string, number>>();
  const stack: Array<{ kind: "message" | "enum" | "oneof" | "service"; name: string }> = [];
  for (const raw of clean.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const open = line.match(/^(message|enum|oneof|service)\s+(\w+)\s*\{\s*(\})?$/);
    if (open) {
      const kind = open[1] as "message" | "enum" | "oneof" | "service";
      if (kind === "message") messages.set(open[2]!, new Map());
      if (kind === "enum") enums.set(open[2]!, new Map());
      if (open[3] === undefined) stack.push({ kind, name: open[2]! });
      continue;
    }
    if (line === "}") {
      stack.pop();
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined || top.kind === "service") continue;
    if (top.kind === "enum") {
      const m = line.match(/^(\w+)\s*=\s*(\d+);$/);
      assert.ok(m, `enum line: ${line}`);
      enums.get(top.name)!.set(m[1]!, Number(m[2]));
      continue;
    }
    const m = line.match(/^(repeated\s+|optional\s+)?(\w+)\s+(\w+)\s*=\s*(\d+);$/);
    assert.ok(m, `field line: ${line}`);
    const owner = top.kind === "oneof" ? stack.at(-2)!.name : top.name;
    messages.get(owner)!.set(m[3]!, {
      type: m[2]!,
      num: Number(m[4]),
      repeated: (m[1] ?? "").trim() === "repeated",
      optional: (m[1] ?? "").trim() === "optional",
    });
  }
  return { messages, enums };
}

const proto = parseProto(PROTO);

Deno.test("grpc schema: every codec message field matches kaspad.proto by name, number and type", () => {
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const declared = proto.messages.get(name);
    assert.ok(declared, `${name} is missing from kaspad.proto`);
    for (const [field, spec] of Object.entries(fields)) {
      const p = declared.get(field);
      assert.ok(p, `${name}.${field} is missing from kaspad.proto`);
      assert.equal(spec[0], p.num, `${name}.${field} number`);
      assert.equal(spec[1], p.type, `${name}.${field} type`);
      assert.equal(spec[2] === "repeated", p.repeated, `${name}.${field} repeated`);
      // A proto3 `optional` scalar must decode as absent, not as its default (0 is a real count).
      if (p.optional && !(spec[1] in MESSAGES)) {
        assert.equal(spec[2], "optional", `${name}.${field} optional`);
      }
    }
  }
});

Deno.test("grpc schema: request and response payload numbers match the envelope's oneof", () => {
  const req = proto.messages.get("KaspadRequest")!;
  const res = proto.messages.get("KaspadResponse")!;
  assert.equal(req.get("id")?.num, ENVELOPE_ID);
  assert.equal(res.get("id")?.num, ENVELOPE_ID);
  let checked = 0;
  for (const [name, num] of Object.entries(PAYLOAD)) {
    const p = req.get(name) ?? res.get(name);
    assert.ok(p, `payload ${name} missing from kaspad.proto`);
    assert.equal(num, p.num, `payload ${name}`);
    checked++;
  }
  assert.equal(checked, req.size - 1 + res.size - 1, "every oneof entry has a codec constant");
});

Deno.test("grpc schema: enum values match kaspad.proto", () => {
  for (const [name, values] of Object.entries(ENUMS)) {
    const declared = proto.enums.get(name);
    assert.ok(declared, `enum ${name} missing`);
    assert.deepEqual(Object.fromEntries(declared), values);
  }
});

Deno.test("grpc schema: the parser itself sees the spec's well-known numbers", () => {
  // Guards the test above against a parser that silently reads nothing.
  assert.equal(proto.messages.get("RpcBlockHeader")?.get("nonce")?.num, 8);
  assert.equal(proto.messages.get("RpcBlockHeader")?.get("blueScore")?.num, 13);
  assert.equal(
    proto.messages.get("KaspadResponse")?.get("newBlockTemplateNotification")?.num,
    1083,
  );
  assert.equal(proto.messages.get("RpcTransaction")?.get("storage_mass")?.num, 10);
});
