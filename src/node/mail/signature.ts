/**
 * What changes when a mail source's mail changes: a file's size and time;
 * for a folder, those of the files in it and, for public-inbox epochs, of
 * their refs (new mail is a new commit, which moves a ref, not the folder's
 * time). Equal signatures: the source reads as it did.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';

export async function sourceSignature(p: string): Promise<string> {
  const st = await stat(p);
  if (!st.isDirectory()) return `${st.size}:${st.mtimeMs}`;
  const parts: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Epochs, their refs and refs/heads: a push to a mirror moves a loose ref there.
        if (depth < 4 && (/^\d+\.git$/.test(entry.name) || entry.name === 'git' || entry.name === 'refs' || entry.name === 'heads')) await visit(full, depth + 1);
        continue;
      }
      const s = await stat(full).catch(() => undefined);
      if (s) parts.push(`${full}:${s.size}:${s.mtimeMs}`);
    }
  };
  await visit(p, 0);
  return parts.sort().join('|');
}
