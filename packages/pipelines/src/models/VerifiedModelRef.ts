/** A model a pipeline ships or depends on: its file and the sha256 it must have. */
export type VerifiedModelRef = { readonly path: string; readonly sha256: string };
