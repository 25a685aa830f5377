import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import { AddressRefusedError } from '@flotilla/outbound-policy';
import { z } from 'zod';
import { delivered, permanent, retryable, PermanentDeliveryError, type DeliveryOutcome } from '../delivery-outcome.js';
import { defineServiceKind } from '../service-kind.js';
import { goBool, goInt, goStruct, requiredText } from '../settings/go-settings.js';
import { serviceBlock, textField } from '../template-fields.js';

/** Port of SMTP over TLS from the first byte; on any other port STARTTLS is used whenever the server offers it. */
const IMPLICIT_TLS_PORT = 465;
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']);

const emailSettings = goStruct({
  host: requiredText,
  port: goInt,
  username: z.string().optional(),
  password: z.string().optional(),
  from: requiredText,
  html: goBool.optional(),
  insecure_skip_verify: goBool.optional(),
});

/** SMTP answers in 4xx say "try again later", 5xx "never"; failures to connect are retried, the rest is not. */
export function outcomeOfSmtpError(error: unknown): DeliveryOutcome {
  if (error instanceof AddressRefusedError || error instanceof PermanentDeliveryError) return permanent(error.message);
  const { code, responseCode, message } = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const reason = `smtp: ${typeof message === 'string' ? message : String(error)}`;
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500 ? retryable(reason) : permanent(reason);
  return typeof code === 'string' && RETRYABLE_CONNECTION_CODES.has(code) ? retryable(reason) : permanent(reason);
}

/**
 * `service.email`: SMTP to `host:port` (TLS from the start on 465, STARTTLS when offered elsewhere; the certificate
 * is checked against `host` unless `insecure_skip_verify`), authenticated when `username` is set, from `from` to the
 * recipient (`,`-separated addresses). The subject is the template's `email.subject`, the body its `email.body` or the
 * message, as HTML when `html`.
 */
export const emailService = defineServiceKind('email', emailSettings, (settings, { environment }) => async (notification, recipient) => {
  const to = recipient
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  if (to.length === 0) throw new PermanentDeliveryError('email needs an address as the recipient');
  const block = serviceBlock(notification, 'email');
  const body = textField(block, 'body') ?? notification.message;
  try {
    const address = await environment.smtpAddress(settings.host);
    const transport = createTransport({
      host: address,
      port: settings.port,
      secure: settings.port === IMPLICIT_TLS_PORT,
      // The certificate is checked against the host name, though the connection goes to the address checked for it.
      ...(isIP(settings.host) === 0 ? { servername: settings.host } : {}),
      tls: { rejectUnauthorized: !settings.insecure_skip_verify },
      ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? '' } } : {}),
      connectionTimeout: environment.timeoutMs,
      greetingTimeout: environment.timeoutMs,
      socketTimeout: environment.timeoutMs,
    });
    try {
      await transport.sendMail({
        from: settings.from,
        to,
        subject: textField(block, 'subject') ?? '',
        ...(settings.html ? { html: body } : { text: body }),
      });
    } finally {
      transport.close();
    }
    return delivered();
  } catch (error) {
    return outcomeOfSmtpError(error);
  }
});
