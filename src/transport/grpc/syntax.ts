import { invalidArgument } from '../../errors.js';
import { compileOpl } from '../../opl/compile.js';
import { decodeOplBytes } from '../../opl/source.js';
import type { GrpcUnaryMethod } from './method.js';

export interface SyntaxMethodDeps {
  /** `feature_flags.typescript_precedence`, read per request. Default: Keto's reading. */
  readonly typescriptPrecedence?: () => boolean;
}

/** `ory.keto.opl.v1alpha1.SyntaxService/Check`: `content` bytes → `parse_errors` with line/column positions as Keto reports them. */
export function syntaxMethods(deps: SyntaxMethodDeps = {}): GrpcUnaryMethod[] {
  return [
    {
      path: '/ory.keto.opl.v1alpha1.SyntaxService/Check',
      requestType: 'ory.keto.opl.v1alpha1.CheckRequest',
      responseType: 'ory.keto.opl.v1alpha1.CheckResponse',
      handle: async (request: { content?: unknown }) => {
        const { errors } = compileOpl(decodeOplBytes(contentBytes(request.content)), {
          typescriptPrecedence: deps.typescriptPrecedence?.() === true,
        });
        return {
          parseErrors: errors.map((d) => ({
            message: d.message,
            start: { line: d.start.line, column: d.start.column },
            end: { line: d.end.line, column: d.end.column },
          })),
        };
      },
    },
  ];
}

/** `bytes` as protobufjs hands them over: a Uint8Array/Buffer, or base64 text when converted with `bytes: String`. */
function contentBytes(content: unknown): Uint8Array {
  if (content === undefined || content === null) return new Uint8Array();
  if (content instanceof Uint8Array) return content;
  if (typeof content === 'string') return Buffer.from(content, 'base64');
  if (Array.isArray(content)) return Uint8Array.from(content as number[]);
  throw invalidArgument('content must be bytes');
}
