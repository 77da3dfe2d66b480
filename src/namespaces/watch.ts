import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` once things settle after a change to `path`: a file (watched through its
 * directory, so that editors that save by renaming are seen) or a directory (any entry).
 * Returns a function that stops watching.
 */
export function watchPath(
  path: string,
  isDirectory: boolean,
  debounceMs: number,
  onChange: () => void,
  onError: (err: Error) => void,
): () => void {
  const directory = isDirectory ? path : dirname(path);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(directory, { persistent: false }, (_event, file) => {
      if (!isDirectory && file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
  } catch (err) {
    onError(err as Error);
    return () => undefined;
  }
  watcher.on('error', onError);
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
