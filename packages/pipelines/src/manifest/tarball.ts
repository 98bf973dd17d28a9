import { gunzipSync, gzipSync } from 'node:zlib';
import { Header, Parser, Pax } from 'tar';
import { InvalidPipelineArchiveError } from './errors.ts';
import { isSafeRelativePath } from './PipelineManifest.ts';

/** A file in an archive: a relative path (`/`-separated) and its bytes. */
export type ArchiveFile = { readonly path: string; readonly bytes: Uint8Array };

/** npm's fixed mtime (1985-10-26T08:15:00Z): equal inputs give byte-identical tarballs. */
const fixedMtime = new Date(499162500_000);
const block = 512;

/**
 * Refuses a list of archive paths that would not unpack to one file each: unsafe paths (absolute,
 * `..`, backslashes), a path given twice (the later copy would silently replace the one that was
 * checked), or a path that is also another path's folder.
 */
function checkPaths(paths: readonly string[]): void {
  const seen = new Set<string>();
  for (const path of paths) {
    if (!isSafeRelativePath(path)) {
      throw new InvalidPipelineArchiveError(`Unsafe path in archive: "${path}"`, {
        details: 'paths are relative, without "." or "..", and at most 200 bytes',
      });
    }
    if (seen.has(path)) {
      throw new InvalidPipelineArchiveError(`${path} appears twice in the archive`, {
        details: 'each path may appear once',
      });
    }
    seen.add(path);
  }
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (seen.has(folder)) {
        throw new InvalidPipelineArchiveError(
          `${folder} is both a file and a folder in the archive`,
        );
      }
    }
  }
}

/**
 * A gzip'd tar of `files` under `package/` (the layout `npm pack` writes, so the result is an npm
 * package tarball), in the order given, with fixed owner, mode and time so that equal inputs give
 * equal bytes. Headers (and pax records for long paths) are encoded by `tar`.
 */
export function writeTarGz(files: readonly ArchiveFile[]): Uint8Array {
  checkPaths(files.map((file) => file.path));
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    const header = {
      path: `package/${file.path}`,
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: file.bytes.byteLength,
      mtime: fixedMtime,
      type: 'File' as const,
      uname: '',
      gname: '',
    };
    const encoded = new Header(header);
    if (encoded.encode()) chunks.push(new Pax(header).encode());
    if (encoded.block === undefined) throw new InvalidPipelineArchiveError('Cannot encode header');
    chunks.push(
      encoded.block,
      file.bytes,
      new Uint8Array((block - (file.bytes.byteLength % block)) % block),
    );
  }
  chunks.push(new Uint8Array(block * 2));
  return new Uint8Array(gzipSync(Buffer.concat(chunks), { level: 9 }));
}

/**
 * The regular files of a gzip'd tar (an npm package tarball or `writeTarGz`'s output), with the
 * first path component (`package/`) removed, parsed by `tar` (pax and GNU long names included).
 * Refused with `InvalidPipelineArchiveError`: anything but a gzip'd tar, a corrupt or truncated
 * archive, links, devices and other non-files, unsafe paths, and a path that appears twice.
 * Folders are skipped. At most `maxBytes` unpacked (default 512 MiB).
 */
export function readTarGz(archive: Uint8Array, maxBytes = 512 * 1024 * 1024): ArchiveFile[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxBytes });
  } catch (cause) {
    throw new InvalidPipelineArchiveError('Not a gzip archive', { cause, details: String(cause) });
  }
  const files: { path: string; chunks: Buffer[] }[] = [];
  const problems: string[] = [];
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (entry.type === 'Directory') {
        entry.resume();
        return;
      }
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        problems.push(`${entry.path} is a ${entry.type} entry: only regular files are accepted`);
        entry.resume();
        return;
      }
      const file = { path: entry.path.split('/').slice(1).join('/'), chunks: [] as Buffer[] };
      files.push(file);
      entry.on('data', (chunk: Buffer) => file.chunks.push(chunk));
    },
  });
  parser.on('error', (error: Error) => problems.push(error.message));
  // The parser is synchronous on a buffer: every entry has been read when `end` returns.
  parser.end(tar);
  if (problems.length > 0) {
    throw new InvalidPipelineArchiveError('Corrupt or unsupported tar archive', {
      details: problems.join('; '),
    });
  }
  checkPaths(files.map((file) => file.path));
  return files.map(({ path, chunks }) => ({ path, bytes: new Uint8Array(Buffer.concat(chunks)) }));
}
