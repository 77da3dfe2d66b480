import { GrpcCode } from '../../grpc-code.js';
import type { DescriptorIndex } from './schema.js';
import type { GrpcStreamingMethod } from './streaming.js';

interface ReflectionRequest {
  host: string;
  messageRequest?: string;
  fileByFilename?: string;
  fileContainingSymbol?: string;
  allExtensionNumbersOfType?: string;
}

/**
 * gRPC server reflection (`grpc.reflection.v1` and `v1alpha`, the same messages in two
 * packages): list_services, file_by_filename, file_containing_symbol, answered with file
 * descriptors including their dependencies.
 */
export function reflectionMethods(index: DescriptorIndex): GrpcStreamingMethod[] {
  const files = new Map(index.files.map((f) => [f.name, f]));

  /** The file and, transitively, every file it imports. */
  const withDependencies = (name: string): Buffer[] => {
    const seen = new Set<string>();
    const out: Buffer[] = [];
    const visit = (file: string) => {
      const entry = files.get(file);
      if (entry === undefined || seen.has(file)) return;
      seen.add(file);
      out.push(Buffer.from(entry.proto, 'base64'));
      for (const dep of entry.dependency) visit(dep);
    };
    visit(name);
    return out;
  };

  const fileOfSymbol = (symbol: string): string | undefined => {
    const name = symbol.startsWith('.') ? symbol.slice(1) : symbol;
    return index.symbols[name] ?? index.symbols[name.slice(0, Math.max(0, name.lastIndexOf('.')))];
  };

  const notFound = (message: string) => ({ errorResponse: { errorCode: GrpcCode.NOT_FOUND, errorMessage: message } });

  const answer = (request: ReflectionRequest): object => {
    switch (request.messageRequest) {
      case 'listServices':
        return { listServicesResponse: { service: index.services.map((name) => ({ name })) } };
      case 'fileByFilename': {
        const name = request.fileByFilename ?? '';
        return files.has(name)
          ? { fileDescriptorResponse: { fileDescriptorProto: withDependencies(name) } }
          : notFound(`file not found: ${name}`);
      }
      case 'fileContainingSymbol': {
        const file = fileOfSymbol(request.fileContainingSymbol ?? '');
        return file !== undefined
          ? { fileDescriptorResponse: { fileDescriptorProto: withDependencies(file) } }
          : notFound(`symbol not found: ${request.fileContainingSymbol}`);
      }
      case 'allExtensionNumbersOfType': {
        const type = request.allExtensionNumbersOfType ?? '';
        return fileOfSymbol(type) !== undefined
          ? { allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: [] } }
          : notFound(`type not found: ${type}`);
      }
      case 'fileContainingExtension':
        return notFound('gatehouse defines no extensions');
      default:
        return { errorResponse: { errorCode: GrpcCode.INVALID_ARGUMENT, errorMessage: 'empty reflection request' } };
    }
  };

  return ['v1', 'v1alpha'].map((version) => ({
    path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
    requestType: `grpc.reflection.${version}.ServerReflectionRequest`,
    responseType: `grpc.reflection.${version}.ServerReflectionResponse`,
    serve: async (requests, call) => {
      for await (const request of requests as AsyncIterable<ReflectionRequest>) {
        call.send({ validHost: request.host, originalRequest: request, ...answer(request) });
      }
    },
  }));
}
