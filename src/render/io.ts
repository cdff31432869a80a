// Reading a GLB for rendering: every KHR/EXT extension glTF-Transform knows, with the Draco and meshopt
// decoders, so that compressed geometry renders too.
import { NodeIO, type Document } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer/decoder';

let io: Promise<NodeIO> | undefined;

export function modelIO(): Promise<NodeIO> {
  io ??= (async () => {
    await MeshoptDecoder.ready;
    return new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
      'draco3d.decoder': await draco3d.createDecoderModule(),
      'meshopt.decoder': MeshoptDecoder,
    });
  })();
  return io;
}

export async function readGlb(bytes: Uint8Array): Promise<Document> {
  return (await modelIO()).readBinary(bytes);
}
