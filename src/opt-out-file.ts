import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';

export const OPT_OUT_FILE = '.opt-out-from-anonymous-statistics';

/** Where the opt-out file is looked for: in the user directory. */
export function optOutPath(userDir: string | undefined): string {
  return path.join(userDir ?? '.', OPT_OUT_FILE);
}

/** Whether an opt-out file is there; without a user directory there is nowhere to look. */
export function optedOut(userDir: string | undefined): boolean {
  return userDir !== undefined && optOutEntry(optOutPath(userDir)) !== null;
}

/** What is at the opt-out path, if anything. */
export type OptOutEntry = 'file' | 'directory' | 'dangling-link' | 'other';

/**
 * Anything at the opt-out path counts, even a directory or a link to nothing:
 * whoever put it there meant to opt out. Null only when nothing is there.
 */
export function optOutEntry(file: string): OptOutEntry | null {
  let entry;
  try {
    // Asked at every status and report: no exception for the usual answer, nothing there (ten times faster).
    entry = lstatSync(file, { throwIfNoEntry: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    // Unreadable is not absent: off is the safe reading.
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : 'other';
  }
  if (!entry) return null;
  if (entry.isSymbolicLink()) {
    try {
      entry = statSync(file);
    } catch {
      return 'dangling-link';
    }
  }
  return entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other';
}
