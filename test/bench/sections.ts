/** The report's sections, in the order they run (report.ts runs them; children/section.ts runs one in its own process). */
import type { Row, Section } from './lib/report.js';
import { scheduleSection } from './metrics/schedule.js';
import { claimSection } from './metrics/claim.js';
import { downloadSection } from './metrics/download.js';
import { ackSection, memorySection } from './metrics/bot.js';
import { realScheduleSection, soakSection } from './metrics/poller.js';
import { pendingWorkerBenches, workerBenches } from './hooks.js';
import { viewerSection } from './metrics/viewer.js';
import { budgetSection } from './metrics/budget.js';

const p7: Section = async (ctx) => {
  const rows: Row[] = [];
  for (const b of workerBenches) rows.push(...(await b.run(ctx)));
  const done = new Set(workerBenches.map((b) => b.name));
  for (const p of pendingWorkerBenches) {
    if (![...done].some((n) => n.startsWith(p.key))) {
      rows.push({ id: 'P7', metric: p.name, value: `pending: issue ${p.issue} registers its bench in test/bench/hooks.ts`, target: p.target, pass: null });
    }
  }
  return rows;
};

export interface SectionDef {
  ids: string[];
  name: string;
  run: Section;
  /**
   * Runs in its own process alongside the section with this id (when both are selected): for
   * figures that no timing can disturb (a virtual clock) next to a section that mostly waits
   * (P4 waits on the bot's 20/s upstream budget). On a 2-core machine, nothing else runs side by side.
   */
  beside?: string;
}

export const sections: SectionDef[] = [
  { ids: ['P1'], name: 'acknowledgement latency (real bot)', run: ackSection },
  { ids: ['P2', 'P3'], name: 'status checks and notify lag (virtual clock)', run: scheduleSection, beside: 'P4' },
  { ids: ['I7.8', 'I7'], name: 'the real poller against the simulator (compressed clock)', run: realScheduleSection },
  { ids: ['P4'], name: 'memory of the real bot', run: memorySection },
  { ids: ['P5'], name: 'claim query at 1,000,000 jobs', run: claimSection },
  { ids: ['P6'], name: 'GLB download and attach', run: downloadSection },
  { ids: ['P7'], name: 'post-processing and turntable workers', run: p7 },
  { ids: ['P9'], name: 'the viewer page under 50 clients', run: viewerSection },
  { ids: ['P10'], name: 'one upstream budget for two processes', run: budgetSection },
  { ids: ['R8'], name: 'soak', run: soakSection },
];
