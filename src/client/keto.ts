/** The gRPC services the command line calls (Keto's, and gatehouse's own lookups and watch), as typed calls. */
import { callServerStream, callUnary } from './call.js';
import type { CallOptions, GrpcConnection } from './connection.js';
import { SNAPTOKEN_HEADER } from '../transport/consistency.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
const CHECK = `${PACKAGE}.CheckService`;
const EXPAND = `${PACKAGE}.ExpandService`;
const READ = `${PACKAGE}.ReadService`;
const WRITE = `${PACKAGE}.WriteService`;
const HEALTH = 'grpc.health.v1.Health';
const EXPLAIN = 'gatehouse.v1.ExplainService';
const LOOKUP = 'gatehouse.v1.LookupService';
const WATCH = 'gatehouse.v1.WatchService';

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

  /**
   * The snaptoken of the data the server reads now (the response metadata of a one-tuple
   * listing); undefined from a server without snaptokens. A watch from it misses nothing
   * committed after this call.
   */
  async currentSnaptoken(): Promise<string | undefined> {
    let token: unknown;
    const onHeaders = (headers: Record<string, unknown>) => (token = headers[SNAPTOKEN_HEADER]);
    await callUnary(this.connection, READ, 'ListRelationTuples', { relationQuery: {}, pageSize: 1 }, { ...this.call, onHeaders });
    return typeof token === 'string' && token !== '' ? token : undefined;
  }

  /** Every page from the request's page token to the end, one message each. */
  listObjects(request: ProtoMessage): AsyncGenerator<{ objects: string[]; nextPageToken: string; snaptoken: string }> {
    return callServerStream(this.connection, LOOKUP, 'ListObjects', request, this.call);
  }

  listSubjects(request: ProtoMessage): AsyncGenerator<{ subjects: ProtoMessage[]; nextPageToken: string; snaptoken: string }> {
    return callServerStream(this.connection, LOOKUP, 'ListSubjects', request, this.call);
  }

  /** The changes after the request's snaptoken, as they are committed; no deadline: it lasts until `signal` or a failure. */
  watch(request: ProtoMessage, signal?: AbortSignal): AsyncGenerator<{ action: string; relationTuple: ProtoMessage; snaptoken: string }> {
    return callServerStream(this.connection, WATCH, 'Watch', request, signal === undefined ? {} : { signal });
  }

  health(service = ''): Promise<{ status: string }> {
    return callUnary(this.connection, HEALTH, 'Check', { service }, this.call);
  }

  close(): void {
    this.connection.close();
  }
}
