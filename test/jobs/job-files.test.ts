import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { JOB_FILE_NAMES, isLeftover, jobFiles, jobFolder, jobFolders, withoutFiles } from '../../src/domain/files.js';
import type { ModelStats } from '../../src/domain/model-info.js';
import { jobRow } from '../helpers/jobs.js';

const FILES = '/data/files';

describe('the files a job owns', () => {
  it('names every file the bot writes in a job folder: the checked picture, downloads, the fitted GLB, the turntable, the viewer page copies and poster, each export', () => {
    expect([...JOB_FILE_NAMES].sort()).toEqual([
      'ar.glb',
      'model-obj.zip',
      'model.glb',
      'model.stl',
      'original.glb',
      'picture.webp',
      'poster.png',
      'preview.webp',
      'turntable.gif',
      'web.glb',
    ]);
  });

  it('a job with nothing on its row still owns every name in its own folder (exports are never on the row)', () => {
    const dir = jobFolder(FILES, 42);
    expect(dir).toBe(join(FILES, '42'));
    const files = jobFiles(jobRow({ id: 42, modelFile: null, previewFile: null, originalFile: null, modelInfo: null }), FILES);
    expect(files.sort()).toEqual(JOB_FILE_NAMES.map((n) => join(dir, n)).sort());
    expect(jobFolders(files)).toEqual([dir]);
  });

  it('adds what the row names, once, and the folder of files kept before FILES_DIR moved', () => {
    const old = '/old/files/42';
    const job = jobRow({
      id: 42,
      originalFile: join(old, 'original.glb'),
      previewFile: join(old, 'preview.webp'),
      modelFile: join(old, 'model.glb'),
      modelInfo: { artifacts: [{ kind: 'turntable', file: join(old, 'turntable.gif'), bytes: 1 }, { kind: 'future', file: join(old, 'spin.webm'), bytes: 1 }] },
    });
    const files = jobFiles(job, FILES);
    expect(new Set(files).size).toBe(files.length);
    expect(files).toEqual(expect.arrayContaining([...JOB_FILE_NAMES.map((n) => join(old, n)), ...JOB_FILE_NAMES.map((n) => join(FILES, '42', n)), join(old, 'spin.webm')]));
    expect(files).toHaveLength(2 * JOB_FILE_NAMES.length + 1);
    expect(jobFolders(files).sort()).toEqual([join(FILES, '42'), old].sort());
  });

  it('recognises the half-written copies a crash leaves of its files, and nothing else', () => {
    const owned = [...JOB_FILE_NAMES];
    expect(isLeftover('model.stl.1234.tmp', owned)).toBe(true);
    expect(isLeftover('turntable.gif.7.tmp', owned)).toBe(true);
    expect(isLeftover('.original.glb.1234.a1b2c3d4e5f6.part', owned)).toBe(true);
    for (const name of ['model.stl', 'notes.txt', 'model.stl.tmp', 'model.stl.12x.tmp', 'other.glb.1.tmp', '.original.glb.1.part', 'original.glb.1.a1.part', '.x.glb.1.ab.part']) {
      expect(isLeftover(name, owned), name).toBe(false);
    }
  });

  it('the row keeps the model’s stats once its files are gone, not the artifacts’ paths', () => {
    const stats: ModelStats = { triangles: 12, vertices: 8, materials: 1, textures: 0, largestTexturePx: 0, dims: [1, 1, 1], bytes: 1 };
    expect(withoutFiles({ stats, artifacts: [{ kind: 'turntable', file: '/x/turntable.gif', bytes: 1 }] })).toEqual({ stats });
    expect(withoutFiles({ stats })).toEqual({ stats });
    expect(withoutFiles(null)).toBeNull();
  });
});
