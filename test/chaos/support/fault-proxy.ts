import net from 'node:net';

/**
 * A TCP proxy on loopback between gatehouse and a database, that can misbehave on demand:
 * reset every connection, blackhole (stop forwarding in both directions and leave new
 * connections unanswered, as a hung server does), or delay every chunk.
 */
export class FaultProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<[net.Socket, net.Socket | undefined]>();
  #held: (() => void)[] = [];
  #blackholed = false;
  #refusing = false;
  latencyMs = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
    const proxy = new FaultProxy({ host: targetHost, port: targetPort });
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  #accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.#refusing) return void client.resetAndDestroy();
    const pair: [net.Socket, net.Socket | undefined] = [client, undefined];
    this.#pairs.add(pair);
    client.pause();
    const connect = () => {
      if (client.destroyed) return;
      const upstream = net.connect(this.target);
      pair[1] = upstream;
      upstream.on('error', () => undefined);
      const end = () => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end);
      upstream.on('close', end);
      this.#forward(client, upstream);
      this.#forward(upstream, client);
    };
    client.once('close', () => this.#pairs.delete(pair));
    if (this.#blackholed) this.#held.push(connect);
    else connect();
  }

  #forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.latencyMs <= 0) return void to.write(chunk);
      setTimeout(() => to.write(chunk), this.latencyMs);
    });
    if (!this.#blackholed) from.resume();
  }

  /** Resets every connection through the proxy (both sides see a TCP RST). */
  resetAll(): void {
    for (const [client, upstream] of this.#pairs) {
      client.resetAndDestroy();
      upstream?.resetAndDestroy();
    }
    this.#pairs.clear();
  }

  /** Stops forwarding: nothing more is read from either side, new connections are held unanswered. */
  blackhole(): void {
    this.#blackholed = true;
    for (const [client, upstream] of this.#pairs) {
      client.pause();
      upstream?.pause();
    }
  }

  /** Resets new connections at once (a server that is down), until heal(). */
  refuse(): void {
    this.#refusing = true;
  }

  /** Forwards again, held connections included. */
  heal(): void {
    this.#blackholed = false;
    this.#refusing = false;
    for (const [client, upstream] of this.#pairs) {
      client.resume();
      upstream?.resume();
    }
    for (const connect of this.#held.splice(0)) connect();
  }

  async close(): Promise<void> {
    this.#refusing = true;
    this.resetAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
