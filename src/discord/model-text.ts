import type { APIActionRowComponent, APIButtonComponent } from 'discord.js';
import { ButtonStyle, ComponentType } from 'discord.js';
import type { Job } from '../domain/job.js';
import type { FitReport, LimitExceeded, ModelStats, ValidationCounts } from '../domain/model-info.js';
import { formatBytes, numberFormat, t } from '../i18n/index.js';

/** "19,800 triangles · … up to 2,048 px / 1.2 × 1.9 × 1.1 units · 14.7 MB / glTF validator: …" */
export function statsText(locale: string, stats: ModelStats, validation: ValidationCounts | undefined): string {
  const n = numberFormat(locale);
  const d = numberFormat(locale, stats.dims.every((x) => x >= 10) ? 0 : 1);
  const lines = [
    t(locale, 'job.stats', {
      triangles: n.format(stats.triangles),
      vertices: n.format(stats.vertices),
      materials: n.format(stats.materials),
      textures: n.format(stats.textures),
      texturePx: stats.textures > 0 ? n.format(stats.largestTexturePx) : null,
      dims: stats.dims.map((x) => d.format(x)).join(' × '),
      size: formatBytes(stats.bytes, locale),
    }),
  ];
  if (validation) {
    lines.push(
      t(locale, 'job.validation', { errors: n.format(validation.errors), warnings: n.format(validation.warnings), clean: validation.errors === 0 }),
    );
  }
  return lines.join('\n');
}

/** One line: "31.2 MB → 8.9 MB: textures to JPEG, textures 4096→2048 px"; null when nothing was changed. */
export function fitText(locale: string, fit: FitReport, stats: ModelStats | undefined): string | null {
  if (fit.steps.length === 0 || fit.bytesAfter === null) return null;
  const n = numberFormat(locale);
  const parts: string[] = [];
  const downscales = fit.steps.filter((s) => s.step === 'downscale');
  const lastSimplify = fit.steps.filter((s) => s.step === 'simplify').at(-1);
  for (const s of fit.steps) {
    if (s.step === 'lossless') parts.push(t(locale, 'job.fit.lossless'));
    if (s.step === 'jpeg') parts.push(t(locale, 'job.fit.jpeg'));
    // Successive downscales and simplifications read as one change each.
    if (s === downscales.at(-1)) {
      parts.push(t(locale, 'job.fit.downscale', { from: n.format(stats?.largestTexturePx ?? 0), to: n.format(s.value ?? 0) }));
    }
    if (s === lastSimplify) parts.push(t(locale, 'job.fit.simplify', { percent: n.format((s.value ?? 0) * 100) }));
    if (s.step === 'draco') parts.push(t(locale, 'job.fit.draco'));
  }
  return t(locale, 'job.fit', {
    before: formatBytes(fit.bytesBefore, locale),
    after: formatBytes(fit.bytesAfter, locale),
    steps: parts.join(', '),
  });
}

const BYTE_LIMITS = new Set<LimitExceeded['limit']>(['accessorBytes', 'totalAccessorBytes']);

/** "240,000,000 triangles after instancing; the limit is 2,000,000" */
function limitText(locale: string, e: LimitExceeded): string {
  const n = numberFormat(locale);
  const fmt = (x: number) => (BYTE_LIMITS.has(e.limit) ? formatBytes(x, locale) : n.format(x));
  return t(locale, `job.tooComplex.${e.limit}`, { value: fmt(e.value), max: fmt(e.max), dims: (e.dims ?? []).map((d) => n.format(d)).join(' × ') });
}

/** Why the GLB is linked rather than attached, when processing has something to say about it. */
export function linkReason(job: Job): string | null {
  const info = job.modelInfo;
  const failure = info?.failure;
  const expiresAt = job.resultExpiresAt;
  if (failure === 'too_large_download') {
    return t(job.locale, 'job.modelNotDownloaded', { max: formatBytes(info?.downloadLimitBytes ?? 0, job.locale), expiresAt });
  }
  if (failure === 'too_complex' && info?.exceeded) {
    return t(job.locale, 'job.modelUnprocessable', { reason: t(job.locale, 'job.unprocessable.too_complex', { what: limitText(job.locale, info.exceeded) }), expiresAt });
  }
  if (failure && failure !== 'download_failed' && failure !== 'too_complex') {
    return t(job.locale, 'job.modelUnprocessable', { reason: t(job.locale, `job.unprocessable.${failure}`), expiresAt });
  }
  if (info?.fit && !job.modelFile) {
    return t(job.locale, 'job.modelTooLargeAfterFit', {
      size: formatBytes(info.fit.bytesAfter ?? info.fit.bytesBefore, job.locale),
      limit: formatBytes(job.attachmentSizeLimit, job.locale),
      expiresAt,
    });
  }
  return null;
}

/** True when the model was read (so it can be exported) and its original is kept. */
export function canExport(job: Job): boolean {
  return job.state === 'succeeded' && job.originalFile !== null && job.modelInfo?.stats !== undefined;
}

/** The "View in 3D" link button to the model's viewer page (see viewerLink). */
export function viewerButton(url: string, locale: string): APIButtonComponent {
  return { type: ComponentType.Button, style: ButtonStyle.Link, label: t(locale, 'job.button.view3d'), url };
}

/** The STL and OBJ buttons (`export:stl:<jobId>`, `export:obj:<jobId>`): anyone who sees them may press. */
export function exportButtonRow(jobId: number, locale: string): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Secondary, label: t(locale, 'job.exportStlButton'), custom_id: `export:stl:${jobId}` },
      { type: ComponentType.Button, style: ButtonStyle.Secondary, label: t(locale, 'job.exportObjButton'), custom_id: `export:obj:${jobId}` },
    ],
  };
}
