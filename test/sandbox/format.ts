// Pure text rendering for the sandbox timeline: Discord messages and fake-server records as readable lines.
import type { RecordedRequest, UploadedFile } from '../fakes/discord/index.js';
import type { SimCall } from '../fakes/dmxapi/index.js';

export interface Style {
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
}

export const plain: Style = { dim: (s) => s, good: (s) => s, bad: (s) => s };

export const ansi: Style = {
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  good: (s) => `\x1b[32m${s}\x1b[39m`,
  bad: (s) => `\x1b[31m${s}\x1b[39m`,
};

export interface RenderContext {
  /** Wall-clock time of the event, for relative Discord timestamps. */
  at: number;
  /** User id → name, for mentions. */
  users: ReadonlyMap<string, string>;
}

/** One timeline entry: its time and its lines (the first is the headline). */
export interface TimelineEvent {
  at: number;
  lines: string[];
}

const INDENT = ' '.repeat(10);

/** `+1.23s  headline` with continuation lines indented under the headline. */
export function formatEvent(ev: TimelineEvent, t0: number, style: Style = plain): string {
  const stamp = `+${((ev.at - t0) / 1000).toFixed(2)}s`.padEnd(8);
  const [head = '', ...rest] = ev.lines;
  return [`${stamp}${head}`, ...rest.map((l) => style.dim(INDENT + l))].join('\n');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** "12 s ago", "in 3 min", relative to `now`. */
export function relativeTime(thenMs: number, now: number): string {
  // Discord timestamps have whole seconds, so round towards the past as Discord's own "ago" does.
  const d = Math.floor((now - thenMs) / 1000);
  if (d === 0) return 'just now';
  const abs = Math.abs(d);
  const amount = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return d >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** Discord markdown → plain text: timestamps readable, mentions as @names, bold/italic markers dropped. */
export function renderMarkdown(text: string, ctx: RenderContext): string {
  return text
    .replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_m, secs: string, style: string | undefined) => {
      const ms = Number(secs) * 1000;
      if (style === 'R') return relativeTime(ms, ctx.at);
      return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    })
    .replace(/<@!?(\d+)>/g, (_m, id: string) => `@${ctx.users.get(id) ?? id}`)
    .replace(/<@&(\d+)>/g, (_m, id: string) => `@role:${id}`)
    .replace(/<#(\d+)>/g, (_m, id: string) => `#${id}`)
    .replace(/\*\*|__/g, '');
}

interface EmbedLike {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  image?: { url?: string };
  footer?: { text?: string };
}

interface ComponentLike {
  type?: number;
  label?: string;
  url?: string;
  custom_id?: string;
  components?: ComponentLike[];
}

/** The lines of a message body as sent by the bot (JSON or payload_json), with its uploaded files. */
export function renderMessageBody(body: unknown, files: UploadedFile[], ctx: RenderContext): string[] {
  const b = (body ?? {}) as { content?: string; embeds?: EmbedLike[]; components?: ComponentLike[]; attachments?: { id?: unknown; filename?: string }[] };
  const md = (s: string) => renderMarkdown(s, ctx);
  const lines: string[] = [];
  if (b.content) lines.push(...md(b.content).split('\n'));
  for (const e of b.embeds ?? []) {
    const parts = [e.title ? md(e.title) : '(untitled)'];
    for (const f of e.fields ?? []) parts.push(`${md(f.name)}: ${md(f.value).replace(/\n/g, ' ')}`);
    if (e.image?.url) parts.push(`image: ${e.image.url}`);
    lines.push(`[embed] ${parts.join(' | ')}`);
    if (e.description) lines.push(...md(e.description).split('\n').map((l) => `  ${l}`));
    if (e.footer?.text) lines.push(`  (footer) ${md(e.footer.text)}`);
  }
  const uploaded = files.map((f) => `${f.filename} (${formatBytes(f.size)})`);
  const uploadedNames = new Set(files.map((f) => f.filename));
  const kept = (b.attachments ?? []).filter((a) => a.filename === undefined || !uploadedNames.has(a.filename)).map((a) => `${a.filename ?? `#${String(a.id)}`} (kept)`);
  if (uploaded.length + kept.length > 0) lines.push(`[attachments] ${[...uploaded, ...kept].join(', ')}`);
  const buttons: ComponentLike[] = [];
  const walk = (cs: ComponentLike[] | undefined) => {
    for (const c of cs ?? []) {
      if (c.type === 2) buttons.push(c);
      walk(c.components);
    }
  };
  walk(b.components);
  for (const btn of buttons) lines.push(`[button] ${btn.label ?? '(no label)'} → ${btn.url ? shortUrl(btn.url) : `custom_id ${btn.custom_id ?? '?'}`}`);
  return lines;
}

const UUID = /([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A URL without its (long, signed) query string. */
export function shortUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

function httpOutcome(r: { status: number; response: unknown; fault: string | null }): string {
  if (r.status >= 200 && r.status < 300) return '';
  const code = (r.response as { code?: unknown } | null)?.code;
  return `  → HTTP ${r.status}${code !== undefined ? ` (code ${String(code)})` : ''}${r.fault ? ` [fault: ${r.fault}]` : ''}`;
}

/** One fake-Discord request as a timeline event, or null for noise (gateway lookup, typing). */
export function discordEvent(r: RecordedRequest, ctx: RenderContext & { ackLatencyMs?: number | null }): TimelineEvent | null {
  const at = r.startedAt;
  const c = { ...ctx, at };
  const err = httpOutcome(r);
  const body = r.body as { type?: number; data?: unknown } | null;
  switch (r.route) {
    case '/gateway/bot':
    case '/gateway':
    case '/channels/:channel/typing':
      return null;
    case '/interactions/:id/:token/callback': {
      const kinds: Record<number, string> = { 4: 'replied', 5: 'deferred', 6: 'deferred update', 7: 'updated', 9: 'modal' };
      const kind = kinds[body?.type ?? 0] ?? `type ${String(body?.type)}`;
      const latency = ctx.ackLatencyMs != null ? `, ${Math.round(ctx.ackLatencyMs)} ms` : '';
      const head = err ? `✗ acknowledgement failed (${kind})${err}` : `✓ acknowledged (${kind}${latency})`;
      return { at, lines: [head, ...(body?.data ? renderMessageBody(body.data, r.files, c) : [])] };
    }
    case '/webhooks/:app/:token/messages/@original':
    case '/webhooks/:app/:token/messages/:message':
      if (r.method === 'PATCH') return edit('✎ message edit (webhook)', r, c, err);
      if (r.method === 'GET') return { at, lines: [`· reply fetched (webhook GET @original)${err}`] };
      if (r.method === 'DELETE') return { at, lines: [`✗ reply deleted${err}`] };
      break;
    case '/webhooks/:app/:token':
      if (r.method === 'POST') return edit('✉ follow-up message (webhook)', r, c, err);
      break;
    case '/channels/:channel/messages/:message':
      if (r.method === 'PATCH') return edit('✎ message edit (channel route)', r, c, err);
      if (r.method === 'GET') return { at, lines: [`· message fetched (channel route)${err}`] };
      break;
    case '/channels/:channel/messages':
      if (r.method === 'POST') return edit('✉ new channel message', r, c, err);
      break;
    case '/users/@me/channels':
      return { at, lines: [`· DM channel opened${err}`] };
    default:
      if (r.path.startsWith('/attachments/')) {
        const range = r.headers.range ? `, ${r.headers.range}` : '';
        return { at, lines: [`· bot reads the file  ${r.method} ${r.path.split('/').pop() ?? r.path}  (HTTP ${r.status}${range})`] };
      }
  }
  return { at, lines: [`· Discord ${r.method} ${r.route ?? r.path}  (HTTP ${r.status})${err ? ` ${err.trim()}` : ''}`] };
}

function edit(head: string, r: RecordedRequest, ctx: RenderContext, err: string): TimelineEvent {
  return { at: r.startedAt, lines: [`${head}${err}`, ...renderMessageBody(r.body, r.files, ctx)] };
}

/** One simulator call as a timeline event. `status` is the task status the call answered, when known. */
export function dmxapiEvent(call: SimCall, extra: { taskStatus?: string; submitTokens?: number }): TimelineEvent {
  const at = call.at;
  const failed = call.status < 200 || call.status >= 300;
  const fault = call.fault ? ` [fault: ${call.fault}]` : '';
  const short = (id: string | undefined) => (id ? `${id.slice(0, 8)}…` : '?');
  switch (call.kind) {
    case 'submit': {
      const b = call.body as { model?: string; parameters?: { texture_quality?: string } };
      const what = `→ DMXAPI submit  ${b.model ?? '?'} texture_quality=${b.parameters?.texture_quality ?? '(default)'}`;
      if (failed) return { at, lines: [`${what}  → HTTP ${call.status}${fault}`] };
      const tokens = extra.submitTokens !== undefined ? ` (${extra.submitTokens} tokens)` : '';
      return { at, lines: [`${what}  → task ${short(call.taskId)} ${call.taskId ? 'PENDING' : 'no task id'}${tokens}${fault}`] };
    }
    case 'get':
      if (failed) return { at, lines: [`→ status check  task ${short(call.taskId)}  → HTTP ${call.status}${fault}`] };
      return { at, lines: [`→ status check  ${extra.taskStatus ?? '?'}${fault}`] };
    case 'file': {
      const name = (call.path.split('/').pop() ?? call.path).replace(UUID, '$1…');
      return { at, lines: [`↓ result download  ${call.method} ${name}  (HTTP ${call.status})${fault}`] };
    }
    default:
      return { at, lines: [`→ DMXAPI ${call.method} ${call.path}  (HTTP ${call.status})${fault}`] };
  }
}

/** A pino JSON line as `HH:MM:SS.mmm level msg key=value …`; other lines unchanged. */
export function compactLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const { time, level, msg, pid: _pid, hostname: _h, ...rest } = o;
    const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
    const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
    const kv = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${when} ${names[Number(level)] ?? String(level)} ${String(msg ?? '')}${kv ? `  ${kv}` : ''}`;
  } catch {
    return line;
  }
}
