/** Small steps a person takes in the VS Code workbench, for playwright-core (the end-to-end tests and the demo's check mode). */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core';
import { CHROMIUM, RESULTS_DIR } from './codeServer';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Flags that keep Chromium from reaching for hosts this machine cannot reach.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export async function openWorkbench(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // The activity bar appears once the workbench has restored its parts.
  await page.locator('.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
  return page;
}

/** Waits until Execmem Lens's contributions are in the workbench (its activity-bar entry shows). */
export async function waitForExtension(page: Page): Promise<void> {
  await page.locator('.activitybar .action-item a[aria-label="Execmem Lens"]').waitFor({ state: 'visible', timeout: 60_000 });
}

/**
 * Runs a command from the palette. Contributions can still be arriving just
 * after the workbench shows, so a palette that does not list the command yet
 * is closed and opened again a few times.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    // A quick pick still closing (one just picked from) can take the key or hide the palette again: tried afresh.
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (attempt === 4) throw e;
    }
  }
  await input.press('Enter');
}

/**
 * The page inside one of our webviews: VS Code nests it two iframes deep and
 * names the owning extension (and, for views, purpose=webviewView) in the
 * outer frame's address.
 */
export function webviewFrame(page: Page, extensionId: string, purpose = 'webviewView'): FrameLocator {
  return page
    .frameLocator(`iframe.webview[src*="extensionId=${extensionId}"][src*="purpose=${purpose}"]`)
    .frameLocator('iframe#active-frame');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Answers code-server's file dialog (a quick input that takes a path) with
 * `file`. The dialog fills its input with the workspace folder once it has
 * listed it, which can overwrite a path typed before that, and it can be slow
 * to list a folder on a loaded machine: typed again until the dialog lists
 * the file under our path and closes on Enter.
 */
export async function answerFileDialog(page: Page, file: string, attempts = 6): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  const listed = page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(file) }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await input.fill(file);
      await listed.waitFor({ timeout: 15_000 });
      if ((await input.inputValue()) !== file) throw new Error('the file dialog replaced the typed path');
      await input.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt === attempts) {
        await screenshot(page, 'file-dialog-stuck');
        throw new Error(`the file dialog did not take ${file} in ${attempts} attempts: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/**
 * Opens the item of the open quick pick whose row shows `text`, with the
 * keyboard: the list's focus is moved down to it and Enter pressed. A click
 * can land on a hover the quick pick shows where the pointer happens to be.
 */
export async function pickQuickInputRow(page: Page, text: string | RegExp): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
  for (let i = 0; i < 50; i++) {
    if (await focused.filter({ hasText: text }).count()) {
      await input.press('Enter');
      return;
    }
    await input.press('ArrowDown');
  }
  throw new Error(`no row of the quick pick shows ${String(text)} (50 rows tried)`);
}
