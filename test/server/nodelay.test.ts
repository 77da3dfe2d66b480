import assert from 'node:assert/strict';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';
import { Listener } from '../../src/transport/listener.js';

test("every connection a port accepts has Nagle's algorithm off, so that an answer written in pieces is not held back", async () => {
  const onServerSide: boolean[] = [];
  const setNoDelay = net.Socket.prototype.setNoDelay;
  let port = 0;
  net.Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
    if (this.localPort === port) onServerSide.push(noDelay ?? true);
    return setNoDelay.call(this, noDelay);
  };
  const listener = new Listener({ name: 'test', host: '127.0.0.1', port: 0, onHttp: () => {}, logger: createLogger({ level: 'error', format: 'json', leak_sensitive_values: false }, openSync('/dev/null', 'w')) });
  try {
    port = (await listener.listen()).port;
    const clients = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
    await Promise.all(clients.map((c) => once(c, 'connect')));
    for (let i = 0; i < 100 && onServerSide.length < clients.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(onServerSide, [true, true]);
    for (const c of clients) c.destroy();
  } finally {
    net.Socket.prototype.setNoDelay = setNoDelay;
    listener.drain();
    listener.destroy();
  }
});
