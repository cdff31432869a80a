// draco3dgltf ships no types; glTF-Transform takes its decoder module as an opaque dependency.
declare module 'draco3dgltf' {
  const draco3d: { createDecoderModule(opts?: object): Promise<unknown>; createEncoderModule(opts?: object): Promise<unknown> };
  export default draco3d;
}
