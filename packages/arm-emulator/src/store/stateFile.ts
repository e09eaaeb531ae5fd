import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces `file` with `text` so that a crash at any moment leaves either the old content or the new
 * one, never a mix, and the new one is on disk when this returns: written to a temporary file beside
 * it, flushed (fsync), renamed over it, and the directory entry flushed too.
 */
export function writeFileDurably(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dirFd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some platforms (Windows) cannot open or flush a directory; the rename itself is atomic there.
  }
}
