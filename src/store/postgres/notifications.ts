import pg from 'pg';
import type { ChangeNotifications } from '../change-notifications.js';

/** The channel a gatehouse process notifies after each committed write. */
export const CHANGELOG_CHANNEL = 'gatehouse_changelog';

/**
 * LISTEN/NOTIFY on PostgreSQL over one dedicated connection, reconnecting with backoff
 * when it drops (followers keep polling meanwhile).
 */
export function postgresNotifications(
  dsn: string,
  onChange: () => void,
  onError: (error: unknown) => void,
): ChangeNotifications {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;
  /** One NOTIFY at a time on the listening connection (pg warns of queued queries); those asked for meanwhile become one more. */
  let notifying = false;
  let notifyAgain = false;
  const notify = (): void => {
    const c = client;
    if (c === undefined) return;
    if (notifying) {
      notifyAgain = true;
      return;
    }
    notifying = true;
    c.query(`NOTIFY ${CHANGELOG_CHANNEL}`)
      .catch(onError)
      .finally(() => {
        notifying = false;
        if (notifyAgain) {
          notifyAgain = false;
          notify();
        }
      });
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: dsn });
    c.on('error', (error) => {
      onError(error);
      reconnect(c);
    });
    c.on('notification', () => onChange());
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGELOG_CHANNEL}`);
      if (closed) return void (await c.end().catch(() => undefined));
      client = c;
      retryMs = 100;
      onChange();
    } catch (error) {
      onError(error);
      reconnect(c);
    }
  };
  const reconnect = (broken: pg.Client) => {
    if (client === broken) client = undefined;
    void broken.end().catch(() => undefined);
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 5000);
  };
  void connect();

  return {
    announce() {
      onChange();
      notify();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
