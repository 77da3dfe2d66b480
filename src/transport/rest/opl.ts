import { compileOpl, type OplDiagnostic } from '../../opl/compile.js';
import { decodeOplBytes } from '../../opl/source.js';
import type { RestRoute } from './route.js';

export interface OplRouteDeps {
  /** `feature_flags.typescript_precedence`, read per request. Default: Keto's reading. */
  readonly typescriptPrecedence?: () => boolean;
}

/**
 * `POST /opl/syntax/check`: the body (any content type, any bytes; empty is a valid, empty
 * model) is checked as OPL. Always 200: `{"errors":[…]}` with Keto's field names, including
 * its capitalised `Line`, or `{}` when there are none (Keto omits the empty list). Only
 * errors are reported, as in Keto; warnings go to the server log when a model is loaded.
 */
export function oplRoutes(deps: OplRouteDeps = {}): RestRoute[] {
  return [
    {
      method: 'POST',
      path: '/opl/syntax/check',
      handle: async (req) => {
        const { errors } = compileOpl(decodeOplBytes(req.body), { typescriptPrecedence: deps.typescriptPrecedence?.() === true });
        return { status: 200, body: errors.length === 0 ? {} : { errors: errors.map(toKetoJson) } };
      },
    },
  ];
}

function toKetoJson(d: OplDiagnostic) {
  return {
    message: d.message,
    start: { Line: d.start.line, column: d.start.column },
    end: { Line: d.end.line, column: d.end.column },
  };
}
