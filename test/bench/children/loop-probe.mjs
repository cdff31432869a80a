// Preloaded into the bot by the viewer bench (NODE_OPTIONS=--import): the bot's own event-loop delay,
// printed as a log-shaped line every 500 ms (p99 and max of that window, in ms), then reset.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
setInterval(() => {
  process.stdout.write(`${JSON.stringify({ level: 30, msg: 'bench event loop', p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, at: Date.now() })}\n`);
  h.reset();
}, 500).unref();
