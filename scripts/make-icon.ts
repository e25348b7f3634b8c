/**
 * Renders the marketplace icon (media/icon.png, 128×128) from the activity-bar
 * glyph media/execmem.svg with Debian's Chromium: the three address-range
 * strips in light strokes on a rounded dark square. Run it again after
 * changing the glyph:  node --import tsx scripts/make-icon.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './lib/codeServer';
import { launchBrowser } from './lib/workbench';

async function main(): Promise<void> {
  const glyph = readFileSync(path.join(ROOT, 'media', 'execmem.svg'), 'utf8')
    .replace(/width="24" height="24"/, 'width="96" height="96"')
    .replace(/stroke="currentColor"/, 'stroke="#e8eef7"')
    .replace(/fill="currentColor"/g, 'fill="#4fc1ff"');
  const html = `<!DOCTYPE html><html><body style="margin:0;background:transparent">
<div style="width:128px;height:128px;border-radius:24px;background:#1e3a5f;display:flex;align-items:center;justify-content:center">${glyph}</div>
</body></html>`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(html);
    await page.screenshot({ path: path.join(ROOT, 'media', 'icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
  } finally {
    await browser.close();
  }
  console.log('media/icon.png written');
}

main().catch((e: unknown) => {
  console.error(`make-icon: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
