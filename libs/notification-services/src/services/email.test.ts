import { selfSignedCertificate } from '@flotilla/kube-sim';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServiceEnvironment } from '../environment.js';
import { createNotificationService } from '../registry.js';
import type { DeliveryOutcome } from '../delivery-outcome.js';
import type { ServiceEnvironment } from '../notification-service.js';
import { FIXED_NOW, rendered, serviceDefinition } from './service-test.test-support.js';

interface ReceivedMail {
  /** Whether the session was encrypted when the message came (STARTTLS or TLS from the start). */
  secure: boolean;
  user: string | undefined;
  envelopeTo: string[];
  mail: ParsedMail;
}

/** A real SMTP server on 127.0.0.1 with a certificate of its own: asks for a login, refuses some recipients. */
async function startSmtpServer(secure: boolean): Promise<{ port: number; received: ReceivedMail[]; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const { certificate, privateKey } = selfSignedCertificate(['127.0.0.1', 'localhost']);
  const server = new SMTPServer({
    secure,
    key: privateKey,
    cert: certificate,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'flotilla' && auth.password === 'm4il-pass') callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('busy@')) callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 }));
      else if (address.address.startsWith('nobody@')) callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      else callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            secure: session.secure,
            user: session.user as string | undefined,
            envelopeTo: session.envelope.rcptTo.map((to) => to.address),
            mail,
          });
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const environment: ServiceEnvironment = createServiceEnvironment({
  addressPolicy: { allow: ['127.0.0.1'] },
  timeoutMs: 3000,
  now: () => FIXED_NOW,
});

function send(
  settings: Record<string, string | number | boolean>,
  recipient: string,
  fields = {},
  env = environment,
): Promise<DeliveryOutcome> {
  const definition = serviceDefinition('email', { host: '127.0.0.1', from: '$email-from', ...settings });
  const secrets = { organization: { 'email-from': 'flotilla@example.com', 'email-password': 'm4il-pass' }, namespace: {} };
  return createNotificationService(definition, secrets, env).send(rendered('Rollout guestbook has been completed.', fields), recipient);
}

describe('email service over STARTTLS', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer(false);
  });
  afterAll(() => smtp.close());
  beforeEach(() => {
    smtp.received.length = 0;
  });
  const login = () => ({ port: smtp.port, username: 'flotilla', password: '$email-password', insecure_skip_verify: true });

  it('logs in after STARTTLS and delivers the subject and body of the template, read back from the server', async () => {
    const outcome = await send(login(), 'ops@example.com, oncall@example.com', {
      email: { subject: 'guestbook completed', body: 'Rollout guestbook is Healthy.' },
    });
    expect(outcome).toEqual({ kind: 'delivered' });
    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message).toMatchObject({ secure: true, user: 'flotilla', envelopeTo: ['ops@example.com', 'oncall@example.com'] });
    expect(message?.mail.from?.text).toBe('flotilla@example.com');
    expect(message?.mail.subject).toBe('guestbook completed');
    expect(message?.mail.text?.trim()).toBe('Rollout guestbook is Healthy.');
    expect(message?.mail.html).toBe(false);
  });

  it('sends the message as an HTML body when html is set', async () => {
    await expect(send({ ...login(), html: true }, 'ops@example.com')).resolves.toEqual({ kind: 'delivered' });
    expect(smtp.received[0]?.mail.html).toBe('Rollout guestbook has been completed.\n');
    expect(smtp.received[0]?.mail.subject).toBeUndefined();
  });

  it('does not retry a refused login or recipient, and retries a recipient the server asks to try later', async () => {
    await expect(send({ ...login(), password: 'wrong' }, 'ops@example.com')).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('535') as unknown,
    });
    await expect(send(login(), 'nobody@example.com')).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('No such user') as unknown,
    });
    await expect(send(login(), 'busy@example.com')).resolves.toMatchObject({
      kind: 'retryable',
      reason: expect.stringContaining('Mailbox busy') as unknown,
    });
    expect(smtp.received).toHaveLength(0);
  });

  it('checks the certificate unless insecure_skip_verify is set', async () => {
    const outcome = await send({ port: smtp.port, username: 'flotilla', password: '$email-password' }, 'ops@example.com');
    expect(outcome).toMatchObject({ reason: expect.stringContaining('certificate') as unknown });
    expect(outcome.kind).not.toBe('delivered');
    expect(smtp.received).toHaveLength(0);
  });

  it('never connects to a host the outbound address policy refuses', async () => {
    const strict = createServiceEnvironment({ addressPolicy: {} });
    await expect(send(login(), 'ops@example.com', {}, strict)).resolves.toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('(loopback)') as unknown,
    });
  });
});
