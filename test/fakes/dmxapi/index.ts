export * from './simulator.js';
export { buildGlb, glbLayout, glbStream, NATURAL_GLB_BYTES, type GlbLayout } from './glb.js';
export { solidWebp, PREVIEW_WEBP } from './webp.js';
