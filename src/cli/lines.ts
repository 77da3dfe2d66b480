/** The lines of a byte stream, read chunk by chunk so memory stays flat however long the input is. */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** Yields each line without its `\n` (a trailing `\r` is dropped too); a final unterminated line is yielded as well. */
export async function* linesOf(stream: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of stream) {
    carry += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = carry.indexOf('\n'); nl >= 0; nl = carry.indexOf('\n', start)) {
      yield stripCr(carry.slice(start, nl));
      start = nl + 1;
    }
    carry = carry.slice(start);
  }
  carry += decoder.end();
  if (carry !== '') yield stripCr(carry);
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
