import type { Document, Material } from '@gltf-transform/core';
import { strToU8, zipSync, type Zippable } from 'fflate';
import sharp from 'sharp';
import { meshNodes } from './stats.js';
import { det3, transformPoint, triangleIndices } from './triangles.js';
import { JPEG_QUALITY } from './textures.js';
import { DECODE_LIMITS } from './limits.js';

/**
 * A name from the model, safe on one OBJ/MTL line: line breaks (also Unicode's) and control characters
 * become spaces, so a name such as "a\nmtllib evil.mtl" cannot add a directive of its own.
 */
export function objName(name: string): string {
  return name.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim();
}

const fmt = (n: number) => (Number.isFinite(n) ? Number(n.toFixed(6)).toString() : '0');

/** Upper-left 3×3 of the inverse-transpose, for normals; scale is removed by normalising after. */
function normalMatrix(m: ArrayLike<number>): number[] {
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[4]!, e = m[5]!, f = m[6]!, g = m[8]!, h = m[9]!, i = m[10]!;
  // Cofactor matrix = det · inverse-transpose; the sign of det is kept so normals keep facing out.
  const det = det3(m) || 1;
  const s = Math.sign(det);
  return [
    s * (e * i - f * h), s * (f * g - d * i), s * (d * h - e * g),
    s * (c * h - b * i), s * (a * i - c * g), s * (b * g - a * h),
    s * (b * f - c * e), s * (c * d - a * f), s * (a * e - b * d),
  ];
}

/**
 * A `.zip` with `model.obj`, `model.mtl` and each base-colour texture as JPEG (`model.jpg`, then
 * `model_2.jpg`…): world transforms applied, UVs (V flipped, as OBJ counts from the bottom) and normals.
 */
export async function toObjZip(doc: Document): Promise<Uint8Array> {
  const lines: string[] = ['# model3d-bot OBJ export', 'mtllib model.mtl'];
  const materials = new Map<Material | null, string>();
  const textures = new Map<Uint8Array, string>();
  const files: Zippable = {};
  const mtl: string[] = ['# model3d-bot OBJ export'];
  let vBase = 1;
  let vtBase = 1;
  let vnBase = 1;

  for (const node of meshNodes(doc)) {
    const m = node.getWorldMatrix();
    const nm = normalMatrix(m);
    const flip = det3(m) < 0;
    for (const p of node.getMesh()!.listPrimitives()) {
      const pos = p.getAttribute('POSITION');
      const tri = triangleIndices(p);
      if (!pos || tri.length === 0) continue;
      const uv = p.getAttribute('TEXCOORD_0');
      const nor = p.getAttribute('NORMAL');
      const material = p.getMaterial();
      let name = materials.get(material);
      if (name === undefined) {
        name = `material_${materials.size + 1}`;
        materials.set(material, name);
        mtl.push('', `newmtl ${name}`);
        const [r, g, b, alpha] = material?.getBaseColorFactor() ?? [0.8, 0.8, 0.8, 1];
        mtl.push(`Kd ${fmt(r)} ${fmt(g)} ${fmt(b)}`, 'Ka 0 0 0', 'Ks 0 0 0', `d ${fmt(alpha)}`, 'illum 1');
        const image = material?.getBaseColorTexture()?.getImage();
        if (image) {
          let file = textures.get(image);
          if (!file) {
            file = textures.size === 0 ? 'model.jpg' : `model_${textures.size + 1}.jpg`;
            textures.set(image, file);
            const jpeg = await sharp(image, DECODE_LIMITS).flatten({ background: '#ffffff' }).jpeg({ quality: JPEG_QUALITY }).toBuffer();
            files[file] = [new Uint8Array(jpeg), { level: 0 }];
          }
          mtl.push(`map_Kd ${file}`);
        }
      }
      lines.push(`o ${objName(node.getName()) || 'mesh'}`, `usemtl ${name}`);
      const count = pos.getCount();
      const v = [0, 0, 0];
      const t = [0, 0];
      for (let i = 0; i < count; i++) {
        pos.getElement(i, v);
        const [x, y, z] = transformPoint(m, v[0]!, v[1]!, v[2]!);
        lines.push(`v ${fmt(x)} ${fmt(y)} ${fmt(z)}`);
      }
      if (uv) {
        for (let i = 0; i < count; i++) {
          uv.getElement(i, t);
          lines.push(`vt ${fmt(t[0]!)} ${fmt(1 - t[1]!)}`);
        }
      }
      if (nor) {
        for (let i = 0; i < count; i++) {
          nor.getElement(i, v);
          const x = nm[0]! * v[0]! + nm[3]! * v[1]! + nm[6]! * v[2]!;
          const y = nm[1]! * v[0]! + nm[4]! * v[1]! + nm[7]! * v[2]!;
          const z = nm[2]! * v[0]! + nm[5]! * v[1]! + nm[8]! * v[2]!;
          const len = Math.hypot(x, y, z) || 1;
          lines.push(`vn ${fmt(x / len)} ${fmt(y / len)} ${fmt(z / len)}`);
        }
      }
      // OBJ indices are 1-based and global, one numbering each for v, vt and vn.
      const ref = (i: number) => {
        const k = vBase + i;
        return uv && nor ? `${k}/${vtBase + i}/${vnBase + i}` : uv ? `${k}/${vtBase + i}` : nor ? `${k}//${vnBase + i}` : `${k}`;
      };
      for (let i = 0; i < tri.length; i += 3) {
        const [a, b, c] = flip ? [tri[i]!, tri[i + 2]!, tri[i + 1]!] : [tri[i]!, tri[i + 1]!, tri[i + 2]!];
        lines.push(`f ${ref(a)} ${ref(b)} ${ref(c)}`);
      }
      vBase += count;
      if (uv) vtBase += count;
      if (nor) vnBase += count;
    }
  }
  files['model.obj'] = strToU8(lines.join('\n') + '\n');
  files['model.mtl'] = strToU8(mtl.join('\n') + '\n');
  return zipSync(files, { level: 6 });
}
