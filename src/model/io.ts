import { NodeIO } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer';

let io: Promise<NodeIO> | undefined;

/**
 * One glTF reader/writer per thread, knowing every KHR/EXT extension glTF-Transform supports,
 * with the Draco and meshopt decoders so compressed inputs can be read, and the Draco encoder
 * for the ladder's last step. Meshopt is never used to write.
 */
export function modelIO(): Promise<NodeIO> {
  io ??= (async () => {
    await MeshoptDecoder.ready;
    return new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
      'draco3d.decoder': await draco3d.createDecoderModule(),
      'draco3d.encoder': await draco3d.createEncoderModule(),
      'meshopt.decoder': MeshoptDecoder,
    });
  })();
  return io;
}
