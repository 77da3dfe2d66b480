import { randomUUID } from 'node:crypto';

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** The client's `X-Request-Id` when it is a sane token, else a fresh one. */
export function chosenRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
