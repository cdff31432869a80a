import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import { modelIO } from './io.js';
import { modelStats } from './stats.js';
import { validateGlb } from './validate.js';
import { fitUnderBudget, needsRewrite } from './fit.js';
import { toStl } from './stl.js';
import { toObjZip } from './obj.js';
import type { Artifact, ModelStats } from './types.js';
import { FITTED_NAME } from './files.js';
import type { ExportResult, ModelTask, ProcessResult } from './tasks.js';


/** The provider's file could not be read as glTF at all. */
export class CorruptModelError extends Error {
  override name = 'CorruptModelError';
}

export interface ArtifactContext {
  /** The provider's model, loaded; read it, do not change it (the fit ladder runs after). */
  doc: Document;
  stats: ModelStats;
  input: string;
  outDir: string;
}

/**
 * Extra files made from the loaded model before it is shrunk, each recorded on the job
 * (e.g. a turntable GIF). A step that throws is logged away: an extra never costs the result.
 */
export type ArtifactStep = (ctx: ArtifactContext) => Promise<Artifact | null>;
export const artifactSteps: ArtifactStep[] = [];

async function load(input: string): Promise<{ bytes: Uint8Array; doc: Document }> {
  const bytes = new Uint8Array(await readFile(input));
  try {
    return { bytes, doc: await (await modelIO()).readBinary(bytes) };
  } catch (err) {
    throw new CorruptModelError(err instanceof Error ? err.message : String(err));
  }
}

/** Writes next to the destination first, so a crash never leaves half a file under the final name. */
export async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Load → know the model → extra artifacts → fit under the budget → validate what will be attached. */
export async function processModel(task: Extract<ModelTask, { kind: 'process' }>): Promise<ProcessResult> {
  const { bytes, doc } = await load(task.input);
  const validation = await validateGlb(bytes);
  const stats = modelStats(doc, bytes.length);
  await mkdir(task.outDir, { recursive: true });

  const artifacts: Artifact[] = [];
  for (const step of artifactSteps) {
    try {
      const a = await step({ doc, stats, input: task.input, outDir: task.outDir });
      if (a) artifacts.push(a);
    } catch (err) {
      console.warn(`artifact step failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const base = { budgetBytes: task.budgetBytes, bytesBefore: bytes.length };
  if (bytes.length <= task.budgetBytes && validation.errors === 0 && !needsRewrite(doc)) {
    return { stats, validation, artifacts, output: task.input, fit: { ...base, bytesAfter: bytes.length, steps: [], validation } };
  }
  const io = await modelIO();
  const outcome = await fitUnderBudget(doc, io, task.budgetBytes);
  const outValidation = await validateGlb(outcome.bytes);
  const fit = { ...base, bytesAfter: outcome.bytes.length, steps: outcome.steps, validation: outValidation };
  if (!outcome.fits || outValidation.errors > 0) {
    return { stats, validation, artifacts, output: null, fit };
  }
  const output = join(task.outDir, FITTED_NAME);
  await writeAtomic(output, outcome.bytes);
  return { stats, validation, artifacts, output, fit };
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
