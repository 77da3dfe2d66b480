import fc from 'fast-check';
import protobuf from 'protobufjs';
import { garbageString } from './garbage.js';
import { ids, namespaces, relations } from './tuples.js';

/** Strings for any string field: names the model knows (so real checks and writes happen) or garbage. */
const text = fc.oneof({ weight: 2, arbitrary: fc.oneof(namespaces, ids, relations) }, { weight: 1, arbitrary: garbageString });

const INT_EDGES = [0, 1, -1, 5, 100, 500, 501, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1];

function scalar(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return text;
    case 'bool':
      return fc.boolean();
    case 'bytes':
      return fc.oneof(
        text.map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      );
    case 'double':
    case 'float':
      return fc.double();
    case 'int64':
    case 'sint64':
    case 'sfixed64':
    case 'uint64':
    case 'fixed64':
      return fc.oneof(fc.constantFrom(...INT_EDGES), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }));
    default:
      return fc.oneof(fc.constantFrom(...INT_EDGES), fc.integer());
  }
}

/**
 * Random but well-formed instances of a protobufjs message type (as plain objects for
 * `Type.fromObject`): every field may be absent, oneofs get at most one member, nesting is
 * bounded by `depth`.
 */
export function messageArb(type: protobuf.Type, depth = 4): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    let value: fc.Arbitrary<unknown>;
    if (field.resolvedType instanceof protobuf.Type) {
      if (depth === 0) continue;
      value = messageArb(field.resolvedType, depth - 1);
    } else if (field.resolvedType instanceof protobuf.Enum) {
      value = fc.oneof(fc.constantFrom(...Object.values(field.resolvedType.values)), fc.integer({ min: -5, max: 100 }));
    } else {
      value = scalar(field.type);
    }
    fields[field.name] = field.repeated ? fc.array(value, { maxLength: depth > 2 ? 4 : 2 }) : value;
  }
  const oneofs = type.oneofsArray.filter((o) => o.fieldsArray.length > 1).map((o) => o.fieldsArray.map((f) => f.name));
  return fc.record(fields, { requiredKeys: [] }).chain((msg) => {
    if (oneofs.length === 0) return fc.constant(msg);
    return fc.tuple(...oneofs.map((names) => fc.nat({ max: names.length }))).map((keep) => {
      const out = { ...msg };
      oneofs.forEach((names, i) => names.forEach((name, j) => j !== keep[i] && delete out[name]));
      return out;
    });
  });
}

export const encodeMessage = (type: protobuf.Type, obj: Record<string, unknown>): Buffer =>
  Buffer.from(type.encode(type.fromObject(obj)).finish());

/** Byte-level edits of an encoded message: flips, cuts, inserted and appended junk. */
export function mutatedBytes(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.constantFrom('flip', 'cut', 'insert', 'append', 'set'), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 4 }))
    .map(([bytes, edits]) => {
      let b = Buffer.from(bytes);
      for (const [op, at, junk] of edits) {
        const i = b.length === 0 ? 0 : at % b.length;
        if (op === 'flip' && b.length > 0) b[i] = b[i]! ^ (1 << (at % 8));
        else if (op === 'set' && b.length > 0) b[i] = junk[0]!;
        else if (op === 'cut') b = b.subarray(0, i);
        else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]);
        else b = Buffer.concat([b, junk]);
      }
      return b;
    });
}
