import protobuf from 'protobufjs';
import { assetText } from '../../assets.js';

/**
 * The gRPC schema compiled by scripts/build-proto.js: protobufjs types for every message
 * gatehouse serves, and the file descriptors that server reflection hands out.
 */
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
  root ??= protobuf.Root.fromJSON(JSON.parse(assetText('dist/proto/gatehouse.json')));
  return root;
}

export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

export function loadDescriptorIndex(): DescriptorIndex {
  return JSON.parse(assetText('dist/proto/descriptors.json')) as DescriptorIndex;
}

/** How messages become the plain objects handlers receive (see method.ts). */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

/**
 * The part of the index one port hands out: the services of its methods (with health and
 * reflection, served everywhere) and the files that define them, with their imports.
 */
export function portDescriptors(index: DescriptorIndex, methodPaths: readonly string[]): DescriptorIndex {
  const everywhere = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];
  const own = new Set([...everywhere, ...methodPaths.map((path) => path.slice(1, path.lastIndexOf('/')))]);
  const services = index.services.filter((name) => own.has(name));
  const byName = new Map(index.files.map((f) => [f.name, f]));
  const kept = new Set<string>();
  const keep = (name: string | undefined) => {
    const file = name === undefined ? undefined : byName.get(name);
    if (file === undefined || kept.has(file.name)) return;
    kept.add(file.name);
    for (const dependency of file.dependency) keep(dependency);
  };
  for (const service of services) keep(index.symbols[service]);
  return {
    files: index.files.filter((f) => kept.has(f.name)),
    symbols: Object.fromEntries(Object.entries(index.symbols).filter(([, file]) => kept.has(file))),
    services,
  };
}
