/**
 * Standalone DMXAPI simulator.
 *   npm run simulator -- --port 8787 [--key KEY] [--pending-ms N] [--running-ms N] [--host 127.0.0.1] [--billing]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_KEY, DEFAULT_TIMELINE, DmxapiSimulator } from './simulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    key: { type: 'string', default: DEFAULT_KEY },
    'pending-ms': { type: 'string', default: String(DEFAULT_TIMELINE.pendingMs) },
    'running-ms': { type: 'string', default: String(DEFAULT_TIMELINE.runningMs) },
    billing: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log('usage: npm run simulator -- [--port 8787] [--host 127.0.0.1] [--key KEY] [--pending-ms N] [--running-ms N] [--billing]');
  process.exit(0);
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
}

const sim = await DmxapiSimulator.start({
  port: int('port', values.port),
  host: values.host,
  key: values.key,
  timeline: { pendingMs: int('pending-ms', values['pending-ms']), runningMs: int('running-ms', values['running-ms']) },
  billing: values.billing,
  onCall: (c) => {
    const parts = [new Date(c.at).toISOString(), c.kind.padEnd(7), c.method, c.path, String(c.status || 'aborted')];
    if (c.taskId) parts.push(`task=${c.taskId}`);
    if (c.kind === 'get') parts.push(`status=${sim.statusOf(c.taskId ?? '')}`);
    if (c.fault) parts.push(`fault=${c.fault}`);
    if (c.auth !== 'raw' && c.kind !== 'file') parts.push(`auth=${c.auth}`);
    console.log(parts.join(' '));
  },
});

console.log(`DMXAPI simulator listening on ${sim.baseUrl}`);
console.log(`  DMXAPI_BASE_URL=${sim.baseUrl}`);
console.log(`  DMXAPI_KEY=${sim.key}`);
console.log(`  timeline: pending ${sim.timeline.pendingMs} ms, running ${sim.timeline.runningMs} ms; billing ${values.billing ? 'on' : 'off'}`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
