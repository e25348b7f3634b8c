// Serves the demo workspace in code-server with the freshly packaged VSIX and
// keeps running until Ctrl+C, then stops code-server and its children.
//
// With --check it proves the demo works instead of serving it: it starts
// code-server on a free port, loads the workbench in Chromium, waits until the
// Execmem Lens views are populated (the Patch Series view lists the corpus's
// series when the corpus is there, the Arch Map its arches, the Call Sites view
// its groups), saves a screenshot to test-results/demo-check.png, stops
// everything it started and exits 0; on any failure it says what was missing
// and exits 1.
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type CodeServer, freePort, ROOT, startCodeServer, vsixPath } from './lib/codeServer';
import { launchBrowser, openWorkbench, screenshot, waitForExtension } from './lib/workbench';

const CHECK_TIMEOUT_MS = 120_000;

/** What a reviewer sees first: each view of the container with something in it. */
async function checkViews(page: Page, withMail: boolean): Promise<string[]> {
  const seen: string[] = [];
  await waitForExtension(page);
  await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').click();
  const sidebar = page.locator('#workbench\\.parts\\.sidebar');
  // A row of one view: each view is a pane of the side bar, under its own header.
  const row = (view: string, text: string | RegExp) =>
    sidebar
      .locator('.pane', { has: page.locator('.pane-header', { hasText: view }) })
      .locator('.monaco-list-row', { hasText: text })
      .first();
  const wait = async (view: string, text: string | RegExp): Promise<void> => {
    try {
      await row(view, text).waitFor({ timeout: CHECK_TIMEOUT_MS });
    } catch {
      throw new Error(`${view}: no row matching ${String(text)} within ${CHECK_TIMEOUT_MS / 1000} s`);
    }
    seen.push(`${view}: ${((await row(view, text).textContent()) ?? '').trim().slice(0, 80)}`);
  };
  if (withMail) await wait('Patch Series', 'mm: jit/text allocator');
  await wait('Arch Map', /^x86/);
  // The Call Sites view sits below the other two: fold them to give it room.
  for (const name of ['Patch Series', 'Arch Map']) {
    const header = sidebar.locator('.pane-header', { hasText: name });
    if ((await header.getAttribute('aria-expanded')) === 'true') await header.click({ position: { x: 24, y: 10 } }); // the twistie end: the middle can be a title-bar action
  }
  await wait('Call Sites', /^kprobes/);
  return seen;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const workspace = args.find((a) => !a.startsWith('--'));
  if (!workspace) throw new Error('usage: demo.ts WORKSPACE_FOLDER [--check]');
  const given = process.env.EXECMEM_LENS_PORT;
  const port = given ? Number(given) : check ? await freePort() : 8080;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`EXECMEM_LENS_PORT is not a port: ${given}`);
  const stateDir = path.join(ROOT, '.cache', check ? 'demo-check' : 'demo');
  const server = await startCodeServer({
    workspace,
    vsix: vsixPath(),
    userSettings: {
      'execmemLens.mailSources': jsonList('EXECMEM_LENS_DEMO_MAIL_SOURCES'),
      'execmemLens.kernelSources': jsonList('EXECMEM_LENS_DEMO_KERNEL_SOURCES'),
    },
    port,
    stateDir,
    logFile: path.join(stateDir, 'code-server.log'),
  });
  if (check) {
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await openWorkbench(browser, server.url);
      try {
        const seen = await checkViews(page, process.env.EXECMEM_LENS_DEMO_MAIL === '1');
        console.log(`demo check: the workbench at ${server.url} shows\n${seen.map((s) => `  ${s}`).join('\n')}`);
      } finally {
        console.log(`demo check: screenshot ${await screenshot(page, 'demo-check')}`);
      }
    } finally {
      await browser?.close();
      await server.stop();
    }
    return;
  }
  console.log(`\nExecmem Lens is running in VS Code at:\n\n  ${server.url}\n\nWorkspace: ${workspace}\nPress Ctrl+C to stop.`);
  stopOnSignal(server);
}

/** A list of paths demo.sh passes in the environment as JSON. */
function jsonList(name: string): string[] {
  const text = process.env[name] ?? '[]';
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${name} is not a JSON list of paths: ${text}`);
  return value;
}

function stopOnSignal(server: CodeServer): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
