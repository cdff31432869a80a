// Minimal declarations for two libraries that ship no types.
declare module 'draco3dgltf' {
  export function createEncoderModule(opts?: object): Promise<unknown>;
  export function createDecoderModule(opts?: object): Promise<unknown>;
}

declare module 'gltf-validator' {
  export interface ValidationReport {
    issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
    info?: unknown;
  }
  export function validateBytes(
    data: Uint8Array,
    options?: {
      uri?: string;
      format?: 'glb' | 'gltf';
      maxIssues?: number;
      ignoredIssues?: string[];
      externalResourceFunction?: (uri: string) => Promise<Uint8Array>;
    },
  ): Promise<ValidationReport>;
  export function version(): string;
}
