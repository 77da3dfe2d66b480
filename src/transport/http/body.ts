import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { GatehouseError, invalidArgument } from '../../errors.js';

export function bodyTooLarge(limit: number): GatehouseError {
  return new GatehouseError('payload_too_large', `The request body exceeds the limit of ${limit} bytes.`);
}

/**
 * The client ended the request before its body was complete: it closed the connection, reset
 * the stream, or sent framing the HTTP/1.1 parser refused. The client's doing, not a server error.
 */
export class BodyCutOff extends Error {
  override readonly name = 'BodyCutOff';

  constructor(cause?: unknown) {
    super('the client ended the request before its body was complete', { cause });
  }
}

/** Bytes of a refused body that a client may still send on a connection kept open for it. */
const DRAINABLE_BYTES = 16 * 2 ** 20;

/**
 * Whether an HTTP/1.1 connection can stay open after its request's body was refused for its
 * declared size: a body of a declared length up to DRAINABLE_BYTES is read and dropped after
 * the answer, so that a client still sending it reads the answer rather than a reset.
 */
export function drainable(protocol: string, headers: IncomingHttpHeaders): boolean {
  return protocol === 'http/1.1' && headers['transfer-encoding'] === undefined && Number(headers['content-length']) <= DRAINABLE_BYTES;
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before reading anything; a body that grows past the limit stops being read.
 */
export function readBody(body: Readable, headers: IncomingHttpHeaders, limit: number): Promise<Buffer> {
  const declared = headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('aborted', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        body.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err?: Error) => {
      cleanup();
      reject(new BodyCutOff(err));
    };
    // A stream may also close before its end without 'aborted' or 'error'.
    const onClose = () => onError();
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('aborted', onError);
    body.on('close', onClose);
  });
}

/**
 * Parses a JSON body; a malformed one is a 400 that names where parsing failed, as Keto's
 * write routes do (the bare decoder message). The check routes add their own
 * "could not unmarshal json: " (decodeCheckBody).
 */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const where = /position \d+/.test(message) ? '' : ` at position ${text.length}`;
    throw invalidArgument(`${message}${where}`);
  }
}
