/** Names of the files the model room keeps in a job's folder (beside original.glb and the preview). */
export const FITTED_NAME = 'model.glb';
/** The turntable animation rendered from the model (an artifact of kind TURNTABLE_KIND). */
export const TURNTABLE_NAME = 'turntable.gif';
export const TURNTABLE_KIND = 'turntable';
export const EXPORT_NAMES = { stl: 'model.stl', obj: 'model-obj.zip' } as const;
export type ExportKind = keyof typeof EXPORT_NAMES;
