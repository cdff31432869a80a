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

const patternCache = new Map<string, RegExp>();

/**
 * Matches `secret` written raw or URL-encoded (wholly or in part, either hex case):
 * each character may appear as itself or as its `%XX` UTF-8 escape.
 */
function secretPattern(secret: string): RegExp {
  let re = patternCache.get(secret);
  if (!re) {
    const hexClass = (d: string) => (/[a-f]/i.test(d) ? `[${d.toLowerCase()}${d.toUpperCase()}]` : d);
    const part = (ch: string) => {
      const escaped = [...Buffer.from(ch, 'utf8')]
        .map((b) => '%' + [...b.toString(16).padStart(2, '0')].map(hexClass).join(''))
        .join('');
      return `(?:${ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}|${escaped})`;
    };
    re = new RegExp([...secret].map(part).join(''), 'g');
    if (patternCache.size > 32) patternCache.clear();
    patternCache.set(secret, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Removes each secret (6 characters or more) from `text`, raw or URL-encoded. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.replace(secretPattern(secret), REDACTED);
  }
  return out;
}

export function scrubString(text: string, secrets: readonly string[]): string {
  return redactSecrets(text.replace(webhookToken, `$1${REDACTED}`).replace(callbackToken, `$1${REDACTED}`), secrets);
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
