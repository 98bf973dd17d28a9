import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineFileIsLinkError } from './errors.ts';

/**
 * The bytes of `path` (relative, `/`-separated) in a pipeline directory, refusing a symbolic link
 * anywhere on the way (`PipelineFileIsLinkError`): the file itself is opened with `O_NOFOLLOW`.
 */
export async function readOwnFile(dir: string, path: string): Promise<Uint8Array> {
  let at = dir;
  for (const part of path.split('/')) {
    at = join(at, part);
    if ((await lstat(at)).isSymbolicLink()) throw new PipelineFileIsLinkError(path);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ELOOP') throw new PipelineFileIsLinkError(path);
    throw cause;
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
