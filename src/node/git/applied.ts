/**
 * Whether a patch from the list reached a git tree: the subjects of the
 * commits that touched a file (following renames), compared as series
 * titles are (normalizeTitle: no "[PATCH v2 3/7]", "Re:", case or spacing).
 * A subject is what b4 and patchwork go by too when no Change-Id or
 * Link: trailer ties a commit to its mail.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { normalizeTitle } from '../../core/mail/subject';

const run = promisify(execFile);

/**
 * The normalized subjects of the commits that touched `file`, or null when
 * git does not track it (no work tree, or an untracked tree inside some
 * other repository, as an extracted kernel tarball in a project folder is).
 */
export async function committedSubjects(file: string): Promise<Set<string> | null> {
  const cwd = path.dirname(file);
  try {
    await run('git', ['ls-files', '--error-unmatch', '--', path.basename(file)], { cwd });
    const { stdout } = await run('git', ['log', '--format=%s', '--follow', '--', path.basename(file)], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return new Set(stdout.split('\n').filter(Boolean).map((s) => normalizeTitle(s)));
  } catch {
    return null;
  }
}

/** Applied (a commit of the patch's title), not applied, or not known (null subjects: not tracked). */
export function appliedIn(subjects: ReadonlySet<string> | null, title: string): boolean | undefined {
  return subjects ? subjects.has(normalizeTitle(title)) : undefined;
}
