import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/**
 * The gRPC schema compiled by scripts/build-proto.js: protobufjs types for every message
 * gatehouse serves, and the file descriptors that server reflection hands out.
 */
const PROTO_DIR = new URL('../../../proto/', import.meta.url);

export interface FileDescriptorEntry {
  name: string;
  dependency: string[];
  /** A serialized google.protobuf.FileDescriptorProto, base64. */
  proto: string;
}

export interface DescriptorIndex {
  files: FileDescriptorEntry[];
  /** Fully qualified symbol (service, method, message, enum) → file name. */
  symbols: Record<string, string>;
  services: string[];
}

let root: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL('gatehouse.json', PROTO_DIR), 'utf8')));
  return root;
}

export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

export function loadDescriptorIndex(): DescriptorIndex {
  return JSON.parse(readFileSync(new URL('descriptors.json', PROTO_DIR), 'utf8')) as DescriptorIndex;
}

/** How messages become the plain objects handlers receive (see method.ts). */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };
