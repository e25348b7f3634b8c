/**
 * Serves the Memory Layout panel's built page (dist/webview/layout.js and
 * media/layout.css) outside VS Code, with the same Content-Security-Policy
 * the extension gives it and a stand-in for acquireVsCodeApi that records
 * what the page posts. For browser tests and benchmarks of the panel alone.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { layoutCsp } from '../../src/core/protocol/layout';
import { ROOT } from './codeServer';

export interface PanelPage {
  url: string;
  close(): Promise<void>;
}

export async function servePanelPage(opts: { bench?: boolean } = {}): Promise<PanelPage> {
  const js = readFileSync(path.join(ROOT, 'dist', 'webview', 'layout.js'));
  const css = readFileSync(path.join(ROOT, 'media', 'layout.css'));
  const server: Server = createServer((req, res) => {
    const nonce = randomBytes(16).toString('base64');
    if (req.url === '/layout.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      return;
    }
    if (req.url === '/layout.css') {
      res.writeHead(200, { 'content-type': 'text/css' }).end(css);
      return;
    }
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    // The extension's own policy, with this server standing where the webview serves the extension's files.
    const csp = layoutCsp("'self'", nonce);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><link rel="stylesheet" href="/layout.css"><title>panel</title></head>
<body${opts.bench ? ' data-bench="on"' : ''}>
<main id="app"></main>
<script nonce="${nonce}">
window.__posted = [];
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
let saved;
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved, setState: (s) => { saved = s; } });
</script>
<script type="module" nonce="${nonce}" src="/layout.js"></script>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
