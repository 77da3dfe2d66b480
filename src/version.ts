import { assetText } from './assets.js';

/** The gatehouse release, as written in package.json. */
export const VERSION: string = (JSON.parse(assetText('package.json')) as { version: string }).version;
