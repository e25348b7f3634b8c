/**
 * The Memory Layout panel's page alone in Chromium, under the CSP the
 * extension gives it: hostile messages are refused with a visible error,
 * and text from kernel sources and mail that carries markup is shown as
 * text, never run.
 */

// page.evaluate callbacks run in the page, where these browser globals exist (the Node build has no DOM types).
declare const window: any;
declare const document: any;
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { simulateSteps, stepOfSite } from '../../src/core/layout/simulate';
import { KPROBES_SITE } from '../support/sites';
import { servePanelPage, type PanelPage } from '../../scripts/lib/panelPage';
import { parsePanelToHost } from '../../src/core/protocol/layout';
import { launchBrowser, screenshot } from './support/workbench';

const MARKUP = `<img src=x onerror="window.__pwned='img'"><script>window.__pwned='script'</script><a href="javascript:window.__pwned='a'">x</a>`;

const site = KPROBES_SITE;

describe('layout panel page under its CSP', { timeout: 120_000 }, () => {
  let server: PanelPage;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await servePanelPage();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as any).__posted.length > 0);
    await page.evaluate(() => window.postMessage({ type: 'init', protocol: 2, extensionVersion: '0.1.0', arches: ['x86', 'arm64'], arch: 'x86' }, '*'));
    await page.locator('.empty-state').waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the page says it is ready with its protocol', async () => {
    assert.deepEqual(await page.evaluate(() => (window as any).__posted[0]), { type: 'ready', protocol: 2 });
  });

  test('a layout whose labels carry markup (from mail subjects, C text) shows it as text and runs nothing', async () => {
    const model = simulateSteps('x86', 'module_alloc', [{ ...stepOfSite(site, 'x86'), label: `[PATCH] ${MARKUP}` }]);
    model.notes.push(MARKUP);
    model.strips[0]!.name = MARKUP;
    model.allocs.id[0] = MARKUP;
    await page.evaluate((m) => window.postMessage({ type: 'layout', variant: 'module_alloc', compare: null, step: 0, primary: m, secondary: null }, '*'), model);
    await page.locator('#step-label').waitFor();
    assert.match(await page.locator('#step-label').innerText(), /\[PATCH\] <img src=x onerror=/);
    assert.match(await page.locator('.strip-name').first().innerText(), /<script>window.__pwned='script'<\/script>/);
    assert.equal(await page.locator('main img, main script, main a[href]').count(), 0);
    // Hovering the allocation shows its (hostile) id as text in the tooltip.
    const canvas = page.locator('canvas.strip-canvas').first();
    const box = (await canvas.boundingBox())!;
    for (let x = 2; x < box.width; x += 4) {
      await page.mouse.move(box.x + x, box.y + box.height / 2);
      if (await page.locator('.tooltip:not([hidden])').count()) break;
    }
    assert.match(await page.locator('.tooltip').innerText(), /<img src=x/);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
    assert.deepEqual(await page.evaluate(() => (window as any).__cspViolations), []);
    await screenshot(page, 'panel-hostile-text');
  });

  test('by keyboard: N selects the next allocation of a strip and says what it is', async () => {
    const canvas = page.locator('canvas.strip-canvas').first();
    await canvas.focus();
    await page.keyboard.press('n');
    const detail = page.locator('.strip-detail').first();
    await detail.waitFor();
    assert.match(await detail.innerText(), /<img src=x.*EXECMEM_KPROBES\n\[0xffffffffc0000000, 0xffffffffc0001000\)/s);
    assert.equal(await detail.getAttribute('aria-live'), 'polite');
    await page.keyboard.press('n');
    assert.match(await detail.innerText(), /No further allocation/);
  });

  test('hostile messages are refused with an error the reader sees, and change nothing', async () => {
    const before = await page.locator('#step-label').innerText();
    const bad: unknown[] = [
      { type: 'layout', variant: 'module_alloc', compare: null, step: 0, primary: { arch: 'x86' }, secondary: null, onclick: 'x' },
      { type: 'layout', variant: '<svg onload=alert(1)>', compare: null, step: 0, primary: null, secondary: null },
      { type: 'init', protocol: 2, extensionVersion: '0', arches: ['x86', '<b>'], arch: 'x86' },
      { type: 'step', step: -1 },
      { type: 'eval', code: "window.__pwned='eval'" },
      'javascript:alert(1)',
    ];
    for (const m of bad) await page.evaluate((msg) => window.postMessage(msg, '*'), m);
    await page.waitForTimeout(200);
    const errors = await page.locator('.error[role="alert"]').allInnerTexts();
    assert.equal(errors.length, bad.length);
    assert.ok(errors.every((e) => e.startsWith('Ignored a message from the extension:')));
    assert.match(errors[4]!, /unknown type "eval"/);
    assert.equal(await page.locator('#step-label').innerText(), before);
    assert.equal(await page.evaluate(() => (window as any).__pwned), undefined);
  });

  test('the page posts only messages of the protocol (step selection, export)', async () => {
    await page.locator('#export-png').click();
    await page.locator('#export-json').click();
    await page.locator('#step-next').click();
    const posted = await page.evaluate(() => (window as any).__posted as unknown[]);
    assert.ok(posted.length >= 3);
    for (const m of posted) {
      const r = parsePanelToHost(m);
      assert.ok(r.ok, `${JSON.stringify(m).slice(0, 120)}: ${r.ok ? '' : r.error}`);
    }
    const png = posted.find((p) => (p as { type: string }).type === 'exportPng') as { data: string } | undefined;
    assert.ok(png && /^data:image\/png;base64,/.test(png.data));
    assert.ok(posted.some((p) => (p as { type: string }).type === 'exportJson'));
  });
});
