/** A mail server on 127.0.0.1 for tests (smtp-server from npm): keeps what it is sent; can refuse recipients. */
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface TestSmtp {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

export async function startSmtp(opts: { refuse?: (address: string) => boolean } = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (opts.refuse?.(address.address)) return cb(Object.assign(new Error(`550 no mailbox ${address.address} here`), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.push({ from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('the test mail server has no port');
  return { port: address.port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** git configuration that sends through `port` without TLS (for a repository of a test). */
export function smtpGitConfig(port: number): [string, string][] {
  return [
    ['sendemail.smtpServer', '127.0.0.1'],
    ['sendemail.smtpServerPort', String(port)],
    ['sendemail.smtpEncryption', 'none'],
  ];
}
