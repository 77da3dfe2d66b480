import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { fileEventFilter } from '../config/watched-file.js';

/**
 * Calls `onChange` once things settle after a change to `path`: a file (watched through its
 * directory, so that editors that save by renaming are seen, and links swapped as in a mounted
 * ConfigMap) or a directory (any entry).
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
  const concernsFile = isDirectory ? () => true : fileEventFilter(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(directory, { persistent: false }, (_event, file) => {
      if (!concernsFile(file)) return;
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
