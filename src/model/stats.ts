import { ImageUtils, Primitive, type Document, type Node } from '@gltf-transform/core';
import { getBounds } from '@gltf-transform/functions';
import type { ModelStats } from '../domain/model-info.js';

/** Triangles a primitive draws (strips and fans included); points and lines draw none. */
function primitiveTriangles(p: Primitive): number {
  const n = p.getIndices()?.getCount() ?? p.getAttribute('POSITION')?.getCount() ?? 0;
  switch (p.getMode()) {
    case Primitive.Mode.TRIANGLES:
      return Math.floor(n / 3);
    case Primitive.Mode.TRIANGLE_STRIP:
    case Primitive.Mode.TRIANGLE_FAN:
      return Math.max(0, n - 2);
    default:
      return 0;
  }
}

/** Every node of the default scene (or of all scenes when none is default) that carries a mesh. */
export function meshNodes(doc: Document): Node[] {
  const root = doc.getRoot();
  const scenes = root.getDefaultScene() ? [root.getDefaultScene()!] : root.listScenes();
  const out: Node[] = [];
  for (const scene of scenes) {
    scene.traverse((node) => {
      if (node.getMesh()) out.push(node);
    });
  }
  return out;
}

/** Stats as a viewer would see them: each mesh instance counts. */
export function modelStats(doc: Document, bytes: number): ModelStats {
  const root = doc.getRoot();
  let triangles = 0;
  let vertices = 0;
  for (const node of meshNodes(doc)) {
    for (const p of node.getMesh()!.listPrimitives()) {
      triangles += primitiveTriangles(p);
      vertices += p.getAttribute('POSITION')?.getCount() ?? 0;
    }
  }
  let largestTexturePx = 0;
  for (const tex of root.listTextures()) {
    const image = tex.getImage();
    const size = image ? ImageUtils.getSize(image, tex.getMimeType()) : null;
    if (size) largestTexturePx = Math.max(largestTexturePx, size[0], size[1]);
  }
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  let dims: [number, number, number] = [0, 0, 0];
  if (scene && triangles + vertices > 0) {
    const { min, max } = getBounds(scene);
    dims = [max[0] - min[0], max[1] - min[1], max[2] - min[2]].map((d) => (Number.isFinite(d) ? d : 0)) as [number, number, number];
  }
  return {
    triangles,
    vertices,
    materials: root.listMaterials().length,
    textures: root.listTextures().length,
    largestTexturePx,
    dims,
    bytes,
  };
}
