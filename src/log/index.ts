import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

const REDACTED = '[REDACTED]';

/** Paths that hold secrets in objects we log. */
const redactPaths = [
  'token',
  'interactionToken',
  'interaction_token',
  'key',
  'apiKey',
  'authorization',
  'Authorization',
  '*.token',
  '*.interactionToken',
  '*.interaction_token',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.discord.token',
  'config.dmxapi.key',
];

// Webhook URLs carry the interaction token in their path; discord.js puts them in error text.
const webhookToken = /(\/webhooks\/\d+\/)[A-Za-z0-9_.\-]+/g;
// Interaction callback URLs carry it too.
const callbackToken = /(\/interactions\/\d+\/)[A-Za-z0-9_.\-]+/g;

export interface LogOptions {
  level?: LoggerOptions['level'];
  /** Fixed secrets (API key, bot token) scrubbed from every string that is logged. */
  secrets?: string[];
  destination?: pino.DestinationStream;
}

export function scrubString(text: string, secrets: readonly string[]): string {
  let out = text.replace(webhookToken, `$1${REDACTED}`).replace(callbackToken, `$1${REDACTED}`);
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  }
  return out;
}

// Keys whose values are credentials at any depth (the redact paths above only reach one level down).
const secretKeys = new Set(['token', 'interactiontoken', 'interaction_token', 'authorization', 'apikey', 'api_key']);

function scrubDeep(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep to log]';
  if (value instanceof Error) return scrubDeep(pino.stdSerializers.err(value), secrets, depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = v !== null && v !== undefined && secretKeys.has(k.toLowerCase()) ? REDACTED : scrubDeep(v, secrets, depth + 1);
  }
  return out;
}

export function createLogger(options: LogOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'model3d-bot', pid: process.pid },
      redact: { paths: redactPaths, censor: REDACTED },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => scrubDeep(a, secrets)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    options.destination,
  );
}
