import type pg from 'pg';

/** What pg hands a submitted query on the connection's messages (the ones COPY … TO STDOUT brings). */
interface CopyOutQuery extends pg.Submittable {
  /** Called once, at the end; pg wraps it to clear its read timeout. */
  callback: (error?: unknown) => void;
  readonly query_timeout?: number;
  handleCopyData(message: { chunk: Buffer }): void;
  handleCommandComplete(): void;
  handleReadyForQuery(): void;
  handleError(error: Error): void;
  handleEmptyQuery(): void;
  handleRowDescription(): void;
  handleDataRow(): void;
  handlePortalSuspended(): void;
}

/**
 * Runs `COPY … TO STDOUT` (`sql`, no parameters) on `client`, handing `onRow` each data
 * message as it arrives: the server sends one row per message. Rows are handed over while
 * the socket is read, so a slow `onRow` slows the reads and the server waits, as with a
 * cursor, without a round trip per page. Once `onRow` returns false or throws, the rest
 * is read and dropped (the statement cannot be stopped without a cancel, which a pooled
 * connection does not carry). `timeoutMs` replaces the client's read timeout when given.
 */
export function copyOut(client: pg.PoolClient, sql: string, onRow: (row: Buffer) => boolean, timeoutMs?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let reading = true;
    let failure: unknown;
    let ended = false;
    const query: CopyOutQuery = {
      ...(timeoutMs === undefined ? {} : { query_timeout: timeoutMs }),
      submit: (connection) => connection.query(sql),
      callback: (error) => {
        if (ended) return;
        ended = true;
        const cause = error ?? failure;
        if (cause === undefined) resolve();
        else reject(cause);
      },
      handleCopyData({ chunk }) {
        if (!reading) return;
        try {
          reading = onRow(chunk);
        } catch (error) {
          reading = false;
          failure = error;
        }
      },
      handleCommandComplete: () => undefined,
      handleReadyForQuery: () => query.callback(),
      handleError: (error) => query.callback(error),
      handleEmptyQuery: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handlePortalSuspended: () => undefined,
    };
    client.query(query);
  });
}
