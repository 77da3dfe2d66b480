import { test } from 'node:test';
import { storeSuite } from './conformance.js';
import { readerSuite, storeReaders } from './reader-suite.js';
import { mysqlDatabase } from './databases.js';

const adminDsn = process.env['TEST_MYSQL_DSN'];
if (adminDsn === undefined || adminDsn === '') {
  test('relationship store on MySQL', { skip: 'TEST_MYSQL_DSN is not set: the MySQL store suite did not run' }, () => {});
} else {
  storeSuite('MySQL/MariaDB', () => mysqlDatabase(adminDsn));
  readerSuite('MySQL/MariaDB', storeReaders(() => mysqlDatabase(adminDsn)), { runs: 40 });
}
