import { validateBytes } from 'gltf-validator';
import type { ValidationCounts } from '../domain/model-info.js';

/** gltf-validator's error and warning counts for a GLB; external resources count as missing. */
export async function validateGlb(bytes: Uint8Array): Promise<ValidationCounts> {
  const report = await validateBytes(bytes, {
    format: 'glb',
    maxIssues: 100,
    externalResourceFunction: () => Promise.reject(new Error('external resources are not loaded')),
  });
  return { errors: report.issues.numErrors, warnings: report.issues.numWarnings };
}
