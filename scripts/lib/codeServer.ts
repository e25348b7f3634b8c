/**
 * Runs the packaged extension in a real VS Code: code-server (VS Code 1.100
 * served to a browser) on 127.0.0.1 with a throw-away user-data and extensions
 * folder, driven by Debian's Chromium through playwright-core. Every process
 * started here is stopped by stop(), including code-server's children.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function vsixPath(): string {
  const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = path.join(ROOT, `${name}-${version}.vsix`);
  if (!existsSync(file)) throw new Error(`${path.basename(file)} is missing: run \`npm run package\` before the end-to-end tests`);
  return file;
}

/** Installs code-server into .cache (once) and returns its entry script. */
export function codeServerEntry(): string {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'install-code-server.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const entry = out.trim().split('\n').pop() ?? '';
  if (!existsSync(entry)) throw new Error(`install-code-server.sh gave no code-server entry (got ${JSON.stringify(entry)})`);
  return entry;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it served ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms (last: ${last})`);
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  /** Text of every file under the user-data logs folder whose path matches. */
  readLogs(match: RegExp): { file: string; text: string }[];
  stop(): Promise<void>;
}

export interface StartOptions {
  workspace: string;
  vsix: string;
  userSettings?: Record<string, unknown>;
  /** Port on 127.0.0.1; a free one when not given. */
  port?: number;
  /**
   * Folder for code-server's user data and extensions, kept after stop (the
   * demo keeps a person's layout and state). A temporary one, removed on stop,
   * when not given.
   */
  stateDir?: string;
  /** Where code-server's own output is written on stop. */
  logFile?: string;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A quiet workbench: no welcome page, tips, telemetry, update checks or trust prompts. */
const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  // Demo and test workspaces may sit inside this project's own checkout.
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Writes our settings under what a kept user-data folder already has: a key
 * the person set stays theirs. A file that is not plain JSON (VS Code allows
 * comments) is left alone.
 */
function writeUserSettings(file: string, settings: Record<string, unknown>): void {
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
  }
  writeFileSync(file, `${JSON.stringify({ ...settings, ...existing }, null, 2)}\n`);
}

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const entry = codeServerEntry();
  const base = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), 'execmem-lens-vscode-'));
  const userDataDir = path.join(base, 'user-data');
  const extensionsDir = path.join(base, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(path.join(userDataDir, 'User', 'settings.json'), { ...DEFAULT_USER_SETTINGS, ...opts.userSettings });

  execFileSync(process.execPath, [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', opts.vsix, '--force'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });

  const port = opts.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      opts.workspace,
    ],
    // Its own process group, so stop() can end code-server and its children together.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    // Children that outlived the leader still carry its group id.
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* none left */
    }
    const logFile = opts.logFile ?? path.join(RESULTS_DIR, 'code-server.log');
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, output);
    if (!opts.stateDir) rmSync(base, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(opts.workspace)}`;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, 60_000);
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- code-server output ---\n${output}`);
  }
  return {
    url,
    userDataDir,
    readLogs: (match) =>
      walk(path.join(userDataDir, 'logs'))
        .filter((f) => match.test(f))
        .map((file) => ({ file, text: readFileSync(file, 'utf8') })),
    stop,
  };
}
