import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import { modelIO } from './io.js';
import { modelStats } from './stats.js';
import { validateGlb } from './validate.js';
import { fitUnderBudget, needsRewrite } from './fit.js';
import { toStl } from './stl.js';
import { toObjZip } from './obj.js';
import type { Artifact, FitStep, ModelStats } from '../domain/model-info.js';
import { MAX_TEXTURE_SIZE } from '../render/texture.js';
import { FITTED_NAME } from '../domain/files.js';
import type { ExportResult, ModelTask, ProcessResult } from './tasks.js';
import { isOutOfMemory } from './tasks.js';
import { renderTurntableArtifact } from './turntable.js';
import { assertWithinLimits, NotGlbError } from './limits.js';
import { AR_COPY_KIND, POSTER_KIND, TURNTABLE_KIND, WEB_COPY_KIND } from '../domain/files.js';
import { makeArCopy, makePoster, makeWebCopy } from './web-copy.js';
import { writeAtomic } from './atomic.js';

/** The provider's file could not be read as glTF at all. */
export class CorruptModelError extends Error {
  override name = 'CorruptModelError';
}

export interface ArtifactContext {
  /** The model as the provider made it (or fitted without a visible change); read it, do not change it. */
  doc: Document;
  stats: ModelStats;
  input: string;
  outDir: string;
  task: Extract<ModelTask, { kind: 'process' }>;
}

/**
 * Extra files made from the loaded model once the GLB to attach is known, each recorded on the job
 * (e.g. a turntable GIF). A step that throws is reported back and logged: an extra never costs the result.
 */
export interface ArtifactStep {
  kind: string;
  /** Null: nothing to make (switched off). */
  run(ctx: ArtifactContext): Promise<Artifact | null>;
}
const artifactSteps: ArtifactStep[] = [
  {
    kind: TURNTABLE_KIND,
    run: ({ doc, outDir, task }) => (task.turntable ? renderTurntableArtifact(doc, outDir, task.turntable, writeAtomic) : Promise.resolve(null)),
  },
];

/**
 * Extras ride along only in the room the attached GLB leaves under the budget: the model comes first.
 * Those that do not fit are deleted and reported.
 */
async function keepWhatFits(
  artifacts: Artifact[],
  attachedBytes: number,
  budgetBytes: number,
  skipped: ProcessResult['artifactsSkipped'],
): Promise<Artifact[]> {
  const kept: Artifact[] = [];
  let used = attachedBytes;
  for (const a of artifacts) {
    if (used + a.bytes <= budgetBytes) {
      kept.push(a);
      used += a.bytes;
    } else {
      await rm(a.file, { force: true });
      skipped.push({
        kind: a.kind,
        reason: `no room beside the model under the upload limit (${a.bytes} bytes, ${Math.max(0, budgetBytes - used)} left)`,
      });
    }
  }
  return kept;
}

/**
 * Whether the fitted document still looks like the provider's model to the turntable: clean-up, JPEG
 * and textures still at least as large as the renderer samples (MAX_TEXTURE_SIZE) keep the look; a
 * simplified mesh or smaller textures do not.
 */
export function keepsTheLook(steps: FitStep[]): boolean {
  return steps.every((s) => s.step === 'lossless' || s.step === 'jpeg' || (s.step === 'downscale' && (s.value ?? 0) >= MAX_TEXTURE_SIZE));
}

/**
 * Reads the file and checks what it may become (src/model/limits.ts) before glTF-Transform decodes
 * anything: a model over a limit fails here in milliseconds, as TooComplexError.
 */
async function load(input: string): Promise<{ bytes: Uint8Array; doc: Document }> {
  const bytes = new Uint8Array(await readFile(input));
  try {
    assertWithinLimits(bytes);
  } catch (err) {
    if (err instanceof NotGlbError) throw new CorruptModelError(err.message);
    throw err;
  }
  try {
    return { bytes, doc: await (await modelIO()).readBinary(bytes) };
  } catch (err) {
    // Running out of memory while reading says nothing about the file.
    if (isOutOfMemory(err)) throw err;
    throw new CorruptModelError(err instanceof Error ? err.message : String(err));
  }
}

/** Load → know the model → fit under the budget → validate what will be attached → extra artifacts. */
export async function processModel(task: Extract<ModelTask, { kind: 'process' }>): Promise<ProcessResult> {
  const started = performance.now();
  const { bytes, doc } = await load(task.input);
  const validation = await validateGlb(bytes);
  const stats = modelStats(doc, bytes.length);
  await mkdir(task.outDir, { recursive: true });

  const base = { budgetBytes: task.budgetBytes, bytesBefore: bytes.length };
  let output: string | null = null;
  let fit: ProcessResult['fit'];
  if (bytes.length <= task.budgetBytes && validation.errors === 0 && !needsRewrite(doc)) {
    output = task.input;
    fit = { ...base, bytesAfter: bytes.length, steps: [], validation };
  } else {
    const io = await modelIO();
    const outcome = await fitUnderBudget(doc, io, task.budgetBytes);
    const outValidation = await validateGlb(outcome.bytes);
    fit = { ...base, bytesAfter: outcome.bytes.length, steps: outcome.steps, validation: outValidation };
    if (outcome.fits && outValidation.errors === 0) {
      output = join(task.outDir, FITTED_NAME);
      await writeAtomic(output, outcome.bytes);
    }
  }

  // Extras render from the fitted document when it looks the same (its smaller JPEG textures decode
  // faster than the provider's PNGs), else from the provider's file read again.
  const fitted = performance.now();
  const look = keepsTheLook(fit.steps) ? doc : (await load(task.input)).doc;
  const made: Artifact[] = [];
  const artifactsSkipped: ProcessResult['artifactsSkipped'] = [];
  for (const step of artifactSteps) {
    try {
      const a = await step.run({ doc: look, stats, input: task.input, outDir: task.outDir, task });
      if (a) made.push(a);
    } catch (err) {
      artifactsSkipped.push({ kind: step.kind, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const artifacts = await keepWhatFits(made, output ? (fit.bytesAfter ?? 0) : 0, task.budgetBytes, artifactsSkipped);
  const timings = { fitMs: fitted - started, renderMs: performance.now() - fitted };
  const webCopies = task.webCopies ? await makeWebCopies(task, made, artifactsSkipped) : [];
  return { stats, validation, artifacts: [...artifacts, ...webCopies], artifactsSkipped, output, fit, timings };
}

/** The viewer page's copies, each from the provider's file read again (each step changes its document). */
async function makeWebCopies(
  task: Extract<ModelTask, { kind: 'process' }>,
  made: readonly Artifact[],
  skipped: ProcessResult['artifactsSkipped'],
): Promise<Artifact[]> {
  const io = await modelIO();
  const out: Artifact[] = [];
  const turntable = made.find((a) => a.kind === TURNTABLE_KIND);
  if (turntable) {
    try {
      out.push(await makePoster(turntable.file, task.outDir, writeAtomic));
    } catch (err) {
      skipped.push({ kind: POSTER_KIND, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  for (const [kind, make] of [
    [WEB_COPY_KIND, makeWebCopy],
    [AR_COPY_KIND, makeArCopy],
  ] as const) {
    try {
      out.push(await make((await load(task.input)).doc, io, task.outDir, writeAtomic));
    } catch (err) {
      skipped.push({ kind, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

export async function exportStl(task: Extract<ModelTask, { kind: 'stl' }>): Promise<ExportResult> {
  const { doc } = await load(task.input);
  const stl = toStl(doc, task.heightMm);
  await writeAtomic(task.output, stl);
  return { file: task.output, bytes: stl.length };
}

export async function exportObj(task: Extract<ModelTask, { kind: 'obj' }>): Promise<ExportResult> {
  const { doc } = await load(task.input);
  const zip = await toObjZip(doc);
  await writeAtomic(task.output, zip);
  return { file: task.output, bytes: zip.length };
}
