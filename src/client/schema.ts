/**
 * The protobuf schema the client speaks: the protobufjs JSON descriptor that
 * scripts/build-proto.js writes to dist/proto/gatehouse.json (Keto's services plus
 * BatchCheck, grpc.health.v1 and gatehouse.v1). Messages are plain objects in the same shape the
 * server's handlers use (camelCase keys, enums as names, oneofs named).
 */
import protobuf from 'protobufjs';
import { assetText } from '../assets.js';

const PLAIN_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

let root: protobuf.Root | undefined;

function schema(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(JSON.parse(assetText('dist/proto/gatehouse.json')));
  return root;
}

/** How to write a method's requests and read its responses (unary or streaming alike). */
export interface MethodCodec {
  /** `/package.Service/Method`. */
  readonly path: string;
  encode(request: object): Uint8Array;
  decode(response: Uint8Array): any;
}

const methods = new Map<string, MethodCodec>();

/** `service` is fully qualified, e.g. `ory.keto.relation_tuples.v1alpha2.CheckService`. */
export function methodCodec(service: string, name: string): MethodCodec {
  const key = `${service}/${name}`;
  let method = methods.get(key);
  if (!method) {
    const definition = schema().lookupService(service).methods[name];
    if (!definition) throw new Error(`the gRPC schema has no method ${key}`);
    definition.resolve();
    const requestType = definition.resolvedRequestType!;
    const responseType = definition.resolvedResponseType!;
    method = {
      path: `/${key}`,
      encode: (request) => requestType.encode(requestType.fromObject(request)).finish(),
      decode: (response) => responseType.toObject(responseType.decode(response), PLAIN_OBJECT),
    };
    methods.set(key, method);
  }
  return method;
}
