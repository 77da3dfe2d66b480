import { test } from 'node:test';
import { storeSuite } from './conformance.js';
import { readerSuite, storeReaders } from './reader-suite.js';
import { postgresDatabase } from './databases.js';

const adminDsn = process.env['TEST_POSTGRES_DSN'];
if (adminDsn === undefined || adminDsn === '') {
  test('relationship store on PostgreSQL', { skip: 'TEST_POSTGRES_DSN is not set: the PostgreSQL store suite did not run' }, () => {});
} else {
  storeSuite('PostgreSQL', () => postgresDatabase(adminDsn));
  readerSuite('PostgreSQL', storeReaders(() => postgresDatabase(adminDsn)), { runs: 40 });
}
