import { ackSection, memorySection } from './metrics/bot.js';
const which = process.argv[2];
const t = Date.now();
const rows = await (which === 'p4' ? memorySection : ackSection)({ quick: process.argv[3] === 'quick', log: (m) => console.error(new Date().toISOString(), m) });
console.log(rows.map(r => `${r.id} ${r.metric}: ${r.value} [${r.target}] ${r.pass}`).join('\n'), Date.now() - t, 'ms');
process.exit(0);
