import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import protobuf from 'protobufjs';

/** The options the gRPC transport converts messages with (src/transport/grpc/method.ts). */
const TO_OBJECT = { longs: Number, enums: String, defaults: true, oneofs: true };

/**
 * Loads Keto's relation-tuple protos (as shipped with @ory/keto-grpc-client) and returns
 * `wire(type, value)`: `value` encoded as `ory.keto.relation_tuples.v1alpha2.<type>`, decoded
 * again and converted to the plain object a handler (or a client) sees.
 */
export async function loadKetoWire(): Promise<(type: string, value: object) => any> {
  const protoDir = dirname(createRequire(import.meta.url).resolve('@ory/keto-grpc-client/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${protoDir}/${target}`;
  await root.load(
    ['check_service', 'expand_service', 'read_service', 'write_service'].map((f) => `ory/keto/relation_tuples/v1alpha2/${f}.proto`),
  );
  root.resolveAll();
  return (type, value) => {
    const t = root.lookupType(`ory.keto.relation_tuples.v1alpha2.${type}`);
    return t.toObject(t.decode(t.encode(t.fromObject(value)).finish()), TO_OBJECT);
  };
}
