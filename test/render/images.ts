// Pixel helpers for the renderer's tests: golden comparison with a readable report, pixel access.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_STAGE } from '../../src/render/stage.js';

/** Frame options for tests of geometry and colour: base colour only, on a flat background (the stage's top colour). */
export const FLAT = { unlit: true };
export const BG: [number, number, number] = DEFAULT_STAGE.top;

export interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

export function toPng(img: Image): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data.set(img.data);
  return PNG.sync.write(png);
}

export function readPng(path: string): Image {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

export function pixel(img: Image, x: number, y: number): [number, number, number] {
  const o = (y * img.width + x) * 4;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}

/** Pixels whose colour differs from `rgb` by more than `tolerance` in some channel. */
export function coverage(img: Image, rgb: [number, number, number], tolerance = 2): { count: number; minX: number; maxX: number; minY: number; maxY: number } {
  let count = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const p = pixel(img, x, y);
      if (Math.abs(p[0] - rgb[0]) > tolerance || Math.abs(p[1] - rgb[1]) > tolerance || Math.abs(p[2] - rgb[2]) > tolerance) {
        count++;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
  }
  return { count, minX, maxX, minY, maxY };
}

/**
 * Compares `actual` with the committed PNG at `path`. Returns null when every channel of every pixel is
 * within `tolerance`; otherwise a description of the difference, with the actual image and a diff map
 * written to a temp folder. UPDATE_GOLDEN=1 rewrites the PNG instead (then look at it before committing).
 */
export function compareGolden(actual: Image, path: string, tolerance: number): string | null {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1') return `golden image ${path} is missing; run with UPDATE_GOLDEN=1 to create it`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, toPng(actual));
    return null;
  }
  const expected = readPng(path);
  if (expected.width !== actual.width || expected.height !== actual.height) {
    return `size ${actual.width}×${actual.height}, golden is ${expected.width}×${expected.height}`;
  }
  const diff = new Uint8Array(actual.data.length);
  let over = 0, worst = 0;
  const examples: string[] = [];
  for (let i = 0; i < actual.data.length; i += 4) {
    let d = 0;
    for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(actual.data[i + k]! - expected.data[i + k]!));
    worst = Math.max(worst, d);
    diff.set(d > tolerance ? [255, 0, 255, 255] : [d * 20, d * 20, d * 20, 255], i);
    if (d > tolerance) {
      over++;
      const x = (i / 4) % actual.width, y = Math.floor(i / 4 / actual.width);
      if (examples.length < 5) examples.push(`(${x},${y}) got ${[...actual.data.subarray(i, i + 3)]} want ${[...expected.data.subarray(i, i + 3)]}`);
    }
  }
  if (over === 0) return null;
  const out = mkdtempSync(join(tmpdir(), 'golden-'));
  const name = path.split('/').pop()!.replace(/\.png$/, '');
  writeFileSync(join(out, `${name}.actual.png`), toPng(actual));
  writeFileSync(join(out, `${name}.diff.png`), toPng({ ...actual, data: diff }));
  return `${over} of ${actual.width * actual.height} pixels differ by more than ${tolerance} (worst ${worst}): ${examples.join('; ')}. Actual and diff images: ${out}`;
}
