import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidPipelineArchiveError } from './errors.ts';
import { isSafeRelativePath } from './PipelineManifest.ts';

/** A file in an archive: a relative path (`/`-separated) and its bytes. */
export type ArchiveFile = { readonly path: string; readonly bytes: Uint8Array };

/** npm's fixed mtime (1985-10-26T08:15:00Z): equal inputs give byte-identical tarballs. */
const fixedMtime = 499162500;
const block = 512;

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length)
    throw new InvalidPipelineArchiveError(`Archive field too long: ${value}`);
  header.set(bytes, offset);
}

const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;

/**
 * A gzip'd ustar archive of `files` under `package/` (the layout `npm pack` writes, so the result
 * is an npm package tarball), in the order given, with fixed owner, mode and time.
 */
export function writeTarGz(files: readonly ArchiveFile[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const file of files) {
    const name = `package/${file.path}`;
    if (!isSafeRelativePath(file.path) || new TextEncoder().encode(name).length > 100) {
      throw new InvalidPipelineArchiveError(`Cannot archive path "${file.path}"`, {
        details: 'paths are relative, without "..", and at most 92 bytes',
      });
    }
    const header = new Uint8Array(block);
    writeString(header, 0, 100, name);
    writeString(header, 100, 8, octal(0o644, 8));
    writeString(header, 108, 8, octal(0, 8));
    writeString(header, 116, 8, octal(0, 8));
    writeString(header, 124, 12, octal(file.bytes.length, 12));
    writeString(header, 136, 12, octal(fixedMtime, 12));
    header.fill(0x20, 148, 156); // checksum counted as spaces
    header[156] = 0x30; // '0': a regular file
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    writeString(header, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
    chunks.push(header, file.bytes, new Uint8Array((block - (file.bytes.length % block)) % block));
  }
  chunks.push(new Uint8Array(block * 2));
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const tar = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    tar.set(chunk, at);
    at += chunk.length;
  }
  return new Uint8Array(gzipSync(tar, { level: 9 }));
}

function readString(header: Uint8Array, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

/**
 * The regular files of a gzip'd tar (an npm package tarball or `writeTarGz`'s output), with the
 * first path component (`package/`) removed. Links, devices and unsafe paths are refused;
 * directories and pax headers are skipped. At most `maxBytes` unpacked (default 512 MiB).
 */
export function readTarGz(archive: Uint8Array, maxBytes = 512 * 1024 * 1024): ArchiveFile[] {
  let tar: Uint8Array;
  try {
    tar = new Uint8Array(gunzipSync(archive, { maxOutputLength: maxBytes }));
  } catch (cause) {
    throw new InvalidPipelineArchiveError('Not a gzip archive', { cause, details: String(cause) });
  }
  const files: ArchiveFile[] = [];
  let at = 0;
  while (at + block <= tar.length) {
    const header = tar.subarray(at, at + block);
    if (header.every((byte) => byte === 0)) break;
    const stored = header.subarray(148, 156);
    const expected = Number.parseInt(readString(header, 148, 8).trim() || '0', 8);
    const sum = header.reduce((total, byte, i) => total + (i >= 148 && i < 156 ? 0x20 : byte), 0);
    if (sum !== expected || stored.length !== 8) {
      throw new InvalidPipelineArchiveError('Corrupt tar header', { details: `at byte ${at}` });
    }
    const size = Number.parseInt(readString(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = readString(header, 345, 155);
    const name = (prefix === '' ? '' : `${prefix}/`) + readString(header, 0, 100);
    const start = at + block;
    if (!Number.isFinite(size) || size < 0 || start + size > tar.length) {
      throw new InvalidPipelineArchiveError('Truncated tar archive', { details: name });
    }
    at = start + Math.ceil(size / block) * block;
    if (type === '5' || type === 'x' || type === 'g') continue;
    if (type !== '0' && type !== '\0') {
      throw new InvalidPipelineArchiveError(`Unsupported archive entry "${name}"`, {
        details: `type "${type}": only regular files are accepted`,
      });
    }
    const path = name.split('/').slice(1).join('/');
    if (!isSafeRelativePath(path)) {
      throw new InvalidPipelineArchiveError(`Unsafe path in archive: "${name}"`);
    }
    files.push({ path, bytes: tar.slice(start, start + size) });
  }
  return files;
}
