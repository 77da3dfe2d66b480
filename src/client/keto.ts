/** The Keto gRPC services the command line calls, as typed unary calls. */
import { callUnary } from './call.js';
import type { CallOptions, GrpcConnection } from './connection.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
const CHECK = `${PACKAGE}.CheckService`;
const EXPAND = `${PACKAGE}.ExpandService`;
const READ = `${PACKAGE}.ReadService`;
const WRITE = `${PACKAGE}.WriteService`;
const HEALTH = 'grpc.health.v1.Health';
const EXPLAIN = 'gatehouse.v1.ExplainService';

/** Plain protobuf objects as protobufjs converts them (camelCase keys, enums as names). */
export type ProtoMessage = Record<string, any>;

export class KetoClient {
  constructor(
    readonly connection: GrpcConnection,
    private readonly call: CallOptions = {},
  ) {}

  check(request: ProtoMessage): Promise<{ allowed: boolean }> {
    return callUnary(this.connection, CHECK, 'Check', request, this.call);
  }

  /** gatehouse's explained check (not Keto's). */
  explainCheck(request: ProtoMessage): Promise<{ allowed: boolean; steps: ProtoMessage[]; truncated: boolean; error: string }> {
    return callUnary(this.connection, EXPLAIN, 'Check', request, this.call);
  }

  expand(request: ProtoMessage): Promise<{ tree: ProtoMessage | null }> {
    return callUnary(this.connection, EXPAND, 'Expand', request, this.call);
  }

  listRelationTuples(request: ProtoMessage): Promise<{ relationTuples: ProtoMessage[]; nextPageToken: string }> {
    return callUnary(this.connection, READ, 'ListRelationTuples', request, this.call);
  }

  transactRelationTuples(request: ProtoMessage): Promise<{ snaptokens: string[] }> {
    return callUnary(this.connection, WRITE, 'TransactRelationTuples', request, this.call);
  }

  deleteRelationTuples(request: ProtoMessage): Promise<object> {
    return callUnary(this.connection, WRITE, 'DeleteRelationTuples', request, this.call);
  }

  health(service = ''): Promise<{ status: string }> {
    return callUnary(this.connection, HEALTH, 'Check', { service }, this.call);
  }

  close(): void {
    this.connection.close();
  }
}
