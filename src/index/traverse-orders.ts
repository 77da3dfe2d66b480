/** Map entry, key and array header overhead per cached order, as V8 lays them out on 64-bit. */
const ENTRY_BYTES = 96;

/** Key node → positions of its subject-set rows in traverse order, for keys walked since they last changed; counts its bytes. */
export class TraverseOrders {
  private readonly orders = new Map<number, Int32Array>();
  private held = 0;

  get(key: number): Int32Array | undefined {
    return this.orders.get(key);
  }

  set(key: number, order: Int32Array): void {
    this.delete(key);
    this.orders.set(key, order);
    this.held += order.byteLength + ENTRY_BYTES;
  }

  delete(key: number): void {
    const order = this.orders.get(key);
    if (order === undefined) return;
    this.orders.delete(key);
    this.held -= order.byteLength + ENTRY_BYTES;
  }

  clear(): void {
    this.orders.clear();
    this.held = 0;
  }

  bytes(): number {
    return this.held;
  }
}
