import { hash, randomBytes, randomFillSync } from 'node:crypto';

/** RFC 9562 name-based UUID (version 5, SHA-1) of `name` under the namespace UUID `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const bytes = hash('sha1', hashInput(namespace, name), 'buffer').subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** Reused for every name: the namespace's 16 bytes, then the name's UTF-8 bytes. */
let scratch = Buffer.alloc(16 + 1024);
let scratchNamespace = '';

function hashInput(namespace: string, name: string): Buffer {
  if (16 + name.length * 3 > scratch.length) {
    scratch = Buffer.alloc(16 + name.length * 3);
    scratchNamespace = '';
  }
  if (namespace !== scratchNamespace) {
    uuidBytes(namespace).copy(scratch);
    scratchNamespace = namespace;
  }
  return scratch.subarray(0, 16 + scratch.write(name, 16, 'utf8'));
}

/** Random bytes drawn from the system in blocks: one call per 256 UUIDs instead of one per UUID. */
const randomPool = Buffer.alloc(16 * 256);
let randomOffset = randomPool.length;

function random16(): Buffer {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  // A view, not a copy: these 16 bytes are handed out once and overwritten only by the next refill.
  const bytes = randomPool.subarray(randomOffset, randomOffset + 16);
  randomOffset += 16;
  return bytes;
}

let lastMillis = 0;
let sequence = 0;

/**
 * A time-ordered UUID (version 7). Within this process each one sorts after the previous
 * (a 12-bit sequence counts UUIDs made in the same millisecond); across processes they
 * sort by creation millisecond.
 */
export function uuidV7(now = Date.now()): string {
  if (now > lastMillis) {
    lastMillis = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMillis++;
    sequence = 0;
  }
  const bytes = random16();
  bytes.writeUIntBE(lastMillis, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** A random UUID (version 4). */
export function uuidV4(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID_TEXT.test(text);

function uuidBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
