import { claimSection } from './metrics/claim.js';
const t = Date.now();
const rows = await claimSection({ quick: false, log: (m) => console.error(m) });
console.log(rows.map(r => `${r.id} ${r.metric}: ${r.value} [${r.target}] ${r.pass}`).join('\n'), Date.now() - t, 'ms');
