// Serves the demo workspace in code-server with the freshly packaged VSIX and
// keeps running until Ctrl+C, then stops code-server and its children.
import * as path from 'node:path';
import { ROOT, startCodeServer, vsixPath } from './lib/codeServer';

async function main(): Promise<void> {
  const workspace = process.argv[2];
  if (!workspace) throw new Error('usage: demo.ts WORKSPACE_FOLDER');
  const port = Number(process.env.EXECMEM_LENS_PORT ?? 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`EXECMEM_LENS_PORT is not a port: ${process.env.EXECMEM_LENS_PORT}`);
  const stateDir = path.join(ROOT, '.cache', 'demo');
  const server = await startCodeServer({
    workspace,
    vsix: vsixPath(),
    port,
    stateDir,
    logFile: path.join(stateDir, 'code-server.log'),
  });
  console.log(`\nExecmem Lens is running in VS Code at:\n\n  ${server.url}\n\nWorkspace: ${workspace}\nPress Ctrl+C to stop.`);
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
