import assert from 'node:assert/strict';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';
import { H2_IDLE_TIMEOUT_MS, HEADERS_TIMEOUT_MS, Listener, MAX_CONCURRENT_STREAMS } from '../../src/transport/listener.js';

/**
 * HTTP/2 connections are bounded like HTTP/1.1 ones: a preface sent slowly, a connection that
 * goes silent after its preface or its SETTINGS, and one that only pings, are all closed by the
 * server; a connection has at most MAX_CONCURRENT_STREAMS streams, a port a capped number of
 * connections. Raw sockets play the clients.
 */

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** An empty SETTINGS frame. */
const SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
/** A PING frame with 8 bytes of opaque data. */
const PING = Buffer.from([0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
const FRAME = { HEADERS: 1, RST_STREAM: 3, SETTINGS: 4 } as const;
const END_HEADERS = 4;

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** The server's frames as they arrive; `until` resolves with the first one matching (or fails after GIVE_UP_MS). */
class FrameReader {
  #buffer = Buffer.alloc(0);
  readonly #frames: Frame[] = [];
  #wake: (() => void) | undefined;

  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 9) {
      const length = this.#buffer.readUIntBE(0, 3);
      if (this.#buffer.length < 9 + length) break;
      const b = this.#buffer;
      this.#frames.push({ type: b[3]!, flags: b[4]!, stream: b.readUInt32BE(5) & 0x7fffffff, payload: b.subarray(9, 9 + length) });
      this.#buffer = b.subarray(9 + length);
    }
    this.#wake?.();
  }

  async until(match: (f: Frame) => boolean): Promise<Frame> {
    const deadline = Date.now() + GIVE_UP_MS;
    for (;;) {
      const found = this.#frames.find(match);
      if (found !== undefined) return found;
      assert.ok(Date.now() < deadline, 'the expected frame never came');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 100).unref();
      });
    }
  }
}

/** Gives up on a connection the server should have closed long before (the test then fails, it does not hang). */
const GIVE_UP_MS = 4 * Math.max(H2_IDLE_TIMEOUT_MS, HEADERS_TIMEOUT_MS);

const logger = createLogger({ level: 'error', format: 'json', leak_sensitive_values: false }, openSync('/dev/null', 'w'));

/** A client that writes `steps` (bytes, then a pause in ms) over and over; resolves with who closed the connection. */
async function client(port: number, first: Buffer[], repeat?: { bytes: Buffer; everyMs: number }): Promise<'server' | 'gave up'> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  await once(socket, 'connect');
  let timer: NodeJS.Timeout | undefined;
  let i = 0;
  const next = () => {
    if (socket.destroyed) return;
    if (i < first.length) socket.write(first[i++]!);
    else if (repeat) socket.write(repeat.bytes);
    else return;
    timer = setTimeout(next, repeat?.everyMs ?? 1000);
  };
  next();
  const closedByServer = once(socket, 'close').then(() => 'server' as const);
  let guard: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'gave up'>((resolve) => (guard = setTimeout(() => resolve('gave up'), GIVE_UP_MS)));
  const outcome = await Promise.race([closedByServer, gaveUp]);
  clearTimeout(timer);
  clearTimeout(guard);
  socket.destroy();
  return outcome;
}

describe('HTTP/2 connection limits', () => {
  let listener: Listener;
  let port: number;
  const held: http2.ServerHttp2Stream[] = [];
  before(async () => {
    listener = new Listener({
      name: 'test',
      host: '127.0.0.1',
      port: 0,
      onHttp: (exchange) => {
        // Never answers: the streams stay open.
        held.push(exchange.body as http2.ServerHttp2Stream);
      },
      logger,
    });
    ({ port } = await listener.listen());
  });
  after(() => {
    listener.drain();
    listener.destroy();
  });

  test('a preface sent one byte a second, a silent connection after the preface or SETTINGS, and one that only pings are closed', async () => {
    const bytes = [...PREFACE].map((b) => Buffer.from([b]));
    const outcomes = await Promise.all([
      client(port, bytes),
      client(port, [PREFACE]),
      client(port, [Buffer.concat([PREFACE, SETTINGS])]),
      client(port, [Buffer.concat([PREFACE, SETTINGS])], { bytes: PING, everyMs: 500 }),
      client(port, [Buffer.concat([PREFACE, SETTINGS]), ...Array.from({ length: 30 }, () => SETTINGS)]),
    ]);
    assert.deepEqual(outcomes, ['server', 'server', 'server', 'server', 'server']);
  });

  test(`a connection may have ${MAX_CONCURRENT_STREAMS} streams open; the next is refused`, async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    await once(session, 'remoteSettings');
    assert.equal(session.remoteSettings.maxConcurrentStreams, MAX_CONCURRENT_STREAMS);
    session.destroy();

    // node's client queues streams past the limit itself: raw frames open one more than allowed.
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    const frames = new FrameReader();
    socket.on('data', (chunk: Buffer) => frames.push(chunk));
    socket.write(Buffer.concat([PREFACE, SETTINGS]));
    await frames.until((f) => f.type === FRAME.SETTINGS && (f.flags & 1) === 0);
    // POST, http, /, :authority "x": request headers without END_STREAM, so each stream stays open.
    const headers = (id: number) => frame(FRAME.HEADERS, END_HEADERS, id, Buffer.from([0x83, 0x86, 0x84, 0x01, 0x01, 0x78]));
    const ids = Array.from({ length: MAX_CONCURRENT_STREAMS + 1 }, (_, i) => 2 * i + 1);
    const heldBefore = held.length;
    // Not acknowledging the server's SETTINGS: nghttp2 then refuses the extra stream alone
    // (after the acknowledgement it ends the whole connection with GOAWAY instead).
    socket.write(Buffer.concat(ids.map(headers)));
    const reset = await frames.until((f) => f.type === FRAME.RST_STREAM);
    assert.deepEqual({ stream: reset.stream, code: reset.payload.readUInt32BE(0) }, { stream: ids.at(-1), code: http2.constants.NGHTTP2_REFUSED_STREAM });
    for (let i = 0; i < 400 && held.length < heldBefore + MAX_CONCURRENT_STREAMS; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(held.length - heldBefore, MAX_CONCURRENT_STREAMS);
    socket.destroy();
  });
});

test('a port holds a capped number of connections; the next is closed on arrival', async () => {
  const listener = new Listener({ name: 'test', host: '127.0.0.1', port: 0, onHttp: () => {}, logger, maxConnections: 3 });
  const { port } = await listener.listen();
  try {
    const open = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => {});
        await once(socket, 'connect');
        return socket;
      }),
    );
    // The server takes connections in the order they arrive: the fourth finds three held.
    const extra = net.connect(port, '127.0.0.1');
    extra.on('error', () => {});
    let guard: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      once(extra, 'close').then(() => 'closed by the server'),
      new Promise((resolve) => (guard = setTimeout(() => resolve('still open'), GIVE_UP_MS))),
    ]);
    clearTimeout(guard);
    extra.destroy();
    assert.equal(outcome, 'closed by the server');
    assert.equal(open.filter((s) => s.destroyed).length, 0);
    for (const socket of open) socket.destroy();
  } finally {
    listener.drain();
    listener.destroy();
  }
});
