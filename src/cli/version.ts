import { VERSION } from '../version.js';

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write('Usage: gatehouse version\n\nPrints the version of this gatehouse build.\n');
    return 0;
  }
  process.stdout.write(`Version:    ${VERSION}\n`);
  return 0;
}
