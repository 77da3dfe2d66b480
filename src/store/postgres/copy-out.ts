import type pg from 'pg';

/** What pg hands a submitted query on the connection's messages (the ones COPY … TO STDOUT brings). */
interface CopyOutQuery extends pg.Submittable {
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
 * connection does not carry).
 */
export function copyOut(client: pg.PoolClient, sql: string, onRow: (row: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let reading = true;
    let failure: unknown;
    const query: CopyOutQuery = {
      submit: (connection) => connection.query(sql),
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
      handleReadyForQuery: () => (failure === undefined ? resolve() : reject(failure)),
      handleError: reject,
      handleEmptyQuery: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handlePortalSuspended: () => undefined,
    };
    client.query(query);
  });
}
