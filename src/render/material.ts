// glTF materials as the shader reads them: metallic-roughness PBR factors, the five texture slots
// (each with its own UV set, wrapping and KHR_texture_transform), alpha mode, emission and unlit.
import type { Material, Texture as GltfTexture, TextureInfo } from '@gltf-transform/core';
import type { EmissiveStrength, Transform } from '@gltf-transform/extensions';
import type { Texture, Wrap } from './texture.js';

export const SLOTS = ['baseColor', 'metallicRoughness', 'normal', 'occlusion', 'emissive'] as const;
export type Slot = (typeof SLOTS)[number];
/** One value per texture slot. */
export type PerSlot<T> = Record<Slot, T>;

/** Which UVs a slot reads: the TEXCOORD set and the texture transform applied to it. */
export interface UvSource {
  set: number;
  /** Offset, scale and rotation (KHR_texture_transform), or null. */
  transform: { offset: [number, number]; scale: [number, number]; rotation: number } | null;
}

export interface TextureSlot {
  texture: Texture;
  uv: UvSource;
  wrapS: Wrap;
  wrapT: Wrap;
}

export type AlphaMode = 'OPAQUE' | 'MASK' | 'BLEND';

export interface RenderMaterial {
  /** Linear RGBA. */
  baseColorFactor: [number, number, number, number];
  metallicFactor: number;
  roughnessFactor: number;
  normalScale: number;
  occlusionStrength: number;
  /** Linear RGB, emissive strength included. */
  emissiveFactor: [number, number, number];
  textures: PerSlot<TextureSlot | null>;
  alphaMode: AlphaMode;
  /** For MASK: fragments with alpha below it are discarded. */
  alphaCutoff: number;
  doubleSided: boolean;
  /** KHR_materials_unlit: the base colour as it is, no lighting. */
  unlit: boolean;
}

/** Decodes a glTF texture into a linear sampling copy (from sRGB for colour maps), or null when it cannot be decoded. */
export type TextureLoader = (texture: GltfTexture, srgb: boolean) => Promise<Texture | null>;

const WRAPS: Record<number, Wrap> = { 10497: 'repeat', 33071: 'clamp', 33648: 'mirror' };

export const DEFAULT_MATERIAL: RenderMaterial = {
  baseColorFactor: [1, 1, 1, 1],
  metallicFactor: 1,
  roughnessFactor: 1,
  normalScale: 1,
  occlusionStrength: 1,
  emissiveFactor: [0, 0, 0],
  textures: { baseColor: null, metallicRoughness: null, normal: null, occlusion: null, emissive: null },
  alphaMode: 'OPAQUE',
  alphaCutoff: 0.5,
  doubleSided: false,
  unlit: false,
};

function uvSource(info: TextureInfo | null): UvSource {
  const t = info?.getExtension<Transform>('KHR_texture_transform') ?? null;
  const set = t?.getTexCoord() ?? info?.getTexCoord() ?? 0;
  return { set, transform: t ? { offset: t.getOffset(), scale: t.getScale(), rotation: t.getRotation() } : null };
}

/**
 * The material's PBR inputs. Textures are decoded one after another (not all at once): three 4096² maps
 * decoded in parallel would hold three full decodes in memory for no gain on two cores.
 */
export async function readMaterial(m: Material | null, load: (t: GltfTexture, srgb: boolean) => Promise<Texture | null>): Promise<RenderMaterial> {
  if (!m) return DEFAULT_MATERIAL;
  const slots: [Slot, GltfTexture | null, TextureInfo | null, boolean][] = [
    ['baseColor', m.getBaseColorTexture(), m.getBaseColorTextureInfo(), true],
    ['metallicRoughness', m.getMetallicRoughnessTexture(), m.getMetallicRoughnessTextureInfo(), false],
    ['normal', m.getNormalTexture(), m.getNormalTextureInfo(), false],
    ['occlusion', m.getOcclusionTexture(), m.getOcclusionTextureInfo(), false],
    ['emissive', m.getEmissiveTexture(), m.getEmissiveTextureInfo(), true],
  ];
  const textures = { ...DEFAULT_MATERIAL.textures };
  for (const [slot, texture, info, srgb] of slots) {
    const decoded = texture ? await load(texture, srgb) : null;
    if (decoded) {
      textures[slot] = {
        texture: decoded,
        uv: uvSource(info),
        wrapS: WRAPS[info?.getWrapS() ?? 10497] ?? 'repeat',
        wrapT: WRAPS[info?.getWrapT() ?? 10497] ?? 'repeat',
      };
    }
  }
  // Factors are linear already (glTF spec); only colour texels are sRGB-encoded.
  const f = m.getBaseColorFactor();
  const e = m.getEmissiveFactor();
  const strength = m.getExtension<EmissiveStrength>('KHR_materials_emissive_strength')?.getEmissiveStrength() ?? 1;
  return {
    baseColorFactor: [f[0], f[1], f[2], f[3]],
    metallicFactor: m.getMetallicFactor(),
    roughnessFactor: m.getRoughnessFactor(),
    normalScale: m.getNormalScale(),
    occlusionStrength: m.getOcclusionStrength(),
    emissiveFactor: [e[0] * strength, e[1] * strength, e[2] * strength],
    textures,
    alphaMode: m.getAlphaMode(),
    alphaCutoff: m.getAlphaCutoff(),
    doubleSided: m.getDoubleSided(),
    unlit: m.getExtension('KHR_materials_unlit') !== null,
  };
}
