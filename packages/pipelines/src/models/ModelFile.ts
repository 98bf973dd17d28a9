import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ModelHashMismatchError } from './errors.ts';
import { sha256Hex } from './ModelCache.ts';

/** A model file shipped in an npm package, pinned by hash. */
export type ModelFile = {
  /** npm package that ships the file, e.g. `'@mediapipe/selfie_segmentation'`. */
  readonly npmPackage: string;
  /** Path inside the package. */
  readonly path: string;
  /** Hex sha256 of the file; any other content is refused. */
  readonly sha256: string;
  /** SPDX licence of the file. */
  readonly license: string;
};

/** Absolute path of a model file, resolved like an import from this package. */
export function resolveModelFile(file: ModelFile): string {
  return createRequire(import.meta.url).resolve(`${file.npmPackage}/${file.path}`);
}

/**
 * Reads a model file and checks its sha256 against the pinned one: a different file throws
 * `ModelHashMismatchError` before anything uses it. Returns the bytes, path and hash.
 */
export async function readVerifiedModelFile(
  file: ModelFile,
  path: string = resolveModelFile(file),
): Promise<{ bytes: Uint8Array; path: string; sha256: string }> {
  return readVerifiedFile(path, file.sha256);
}

/** Reads a file and refuses it (`ModelHashMismatchError`) unless its sha256 is `expectedSha256`. */
export async function readVerifiedFile(
  path: string,
  expectedSha256: string,
): Promise<{ bytes: Uint8Array; path: string; sha256: string }> {
  const buffer = await readFile(path);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const sha256 = sha256Hex(bytes);
  if (sha256 !== expectedSha256) throw new ModelHashMismatchError(path, expectedSha256, sha256);
  return { bytes, path, sha256 };
}
