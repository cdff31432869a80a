import { join } from 'node:path';
import { parseArgs } from 'node:util';

export interface SandboxOptions {
  out: string;
  quality: 'standard' | 'detailed';
  useUrl: boolean;
  pendingMs: number;
  runningMs: number;
  /** Everything, start-up included, must be over within this. */
  timeoutMs: number;
}

export const USAGE = `Usage: npm run sandbox -- [--out DIR] [--quality standard|detailed] [--url]

Starts a fake Discord, the DMXAPI simulator and the real bot, plays /model3d with
test/fixtures/sample.png, prints the traffic, and saves the delivered preview and GLB.

  --out DIR        where to save the results (default sandbox-output/<timestamp>/)
  --quality Q      standard (default) or detailed
  --url            pass the picture as a URL instead of an attachment
  --pending-ms N   how long the simulated task stays PENDING (default 3000)
  --running-ms N   how long it stays RUNNING (default 7000)
  --timeout S      give up (exit 1) after S seconds in all (default and maximum 55)`;

/** Parses argv; throws with a one-line message on bad input. Returns null for --help. */
export function parseOptions(argv: string[], root: string, now = new Date()): SandboxOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      quality: { type: 'string', default: 'standard' },
      url: { type: 'boolean', default: false },
      'pending-ms': { type: 'string', default: '3000' },
      'running-ms': { type: 'string', default: '7000' },
      timeout: { type: 'string', default: '55' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  if (values.quality !== 'standard' && values.quality !== 'detailed') {
    throw new Error(`--quality must be standard or detailed, not ${values.quality}`);
  }
  const ms = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 30_000) throw new Error(`--${name} must be a whole number of ms from 0 to 30000`);
    return n;
  };
  const timeoutS = Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 55) throw new Error('--timeout must be a number of seconds from 1 to 55');
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  return {
    out: values.out ?? join(root, 'sandbox-output', stamp),
    quality: values.quality,
    useUrl: values.url,
    pendingMs: ms('pending-ms', values['pending-ms']),
    runningMs: ms('running-ms', values['running-ms']),
    timeoutMs: Math.round(timeoutS * 1000),
  };
}
