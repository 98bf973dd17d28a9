import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseError } from '@peerframe/core';
import type { Abi, Hex } from 'viem';

/** The contracts of the protocol (and the proxy and library they deploy with), in deployment order. */
export const protocolContractNames = [
  'Controller',
  'LivepeerToken',
  'Minter',
  'ManagerProxy',
  'SortedTranscoderPool',
  'RoundsManager',
  'BondingManager',
  'TicketBroker',
  'ServiceRegistry',
  'BondingVotes',
  'Treasury',
  'LivepeerGovernor',
] as const;

export type ProtocolContractName = (typeof protocolContractNames)[number];

export type ContractArtifact = {
  abi: Abi;
  /** Creation bytecode, without constructor arguments. */
  bytecode: Hex;
  deployedBytecode: Hex;
  /**
   * Libraries to link into `bytecode` before deploying: `"<file>:<library>"` -> byte offsets of
   * their 20-byte placeholders (solc's `linkReferences`).
   */
  linkReferences: Record<string, { start: number; length: number }[]>;
  /** sha256 of the compiler version, settings and every source: the cache key. */
  sourceHash: Hex;
};

export type ProtocolArtifacts = { readonly [K in ProtocolContractName]: ContractArtifact };

export type LoadProtocolArtifactsOptions = {
  /** Folder of the `.sol` sources. Default: this package's `contracts/`. */
  contractsDir?: string | undefined;
  /**
   * Folder of the compiled output, one `<sourceHash>.json` per distinct input. Default:
   * `$PEERFRAME_CONTRACTS_CACHE_DIR`, else this package's `.cache/contracts/` (gitignored).
   */
  cacheDir?: string | undefined;
  /** How long to wait for another process compiling the same input. Default 120 000 ms. */
  lockTimeoutMs?: number | undefined;
};

/** Compiler settings (the output selection is added per compile: our contracts only); part of the cache key. */
export const solcSettings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
} as const;

const outputs = [
  'abi',
  'evm.bytecode.object',
  'evm.bytecode.linkReferences',
  'evm.deployedBytecode.object',
];

export class ContractCompilationError extends BaseError {
  override name = 'ContractCompilationError';
  constructor(details: string, cause?: unknown) {
    super('contract_compilation_failed', 'The protocol contracts did not compile', {
      details,
      cause,
    });
  }
}

type Solc = { compile(input: string): string };
type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: Abi;
        evm: {
          bytecode: {
            object: string;
            linkReferences?: Record<string, Record<string, { start: number; length: number }[]>>;
          };
          deployedBytecode: { object: string };
        };
      }
    >
  >;
};

const require = createRequire(import.meta.url);
const memo = new Map<string, Promise<ProtocolArtifacts>>();

/**
 * Compiles `contracts/*.sol` and what they import (OpenZeppelin's governor and timelock, from the
 * `@openzeppelin/contracts-upgradeable` npm package) with the `solc` npm package (standard JSON,
 * optimizer on), offline, and returns each contract's ABI and bytecode. The output is cached on disk by a hash of the
 * compiler version, settings and sources, so only the first call after a source change compiles
 * (about 7 s); later calls, in any process, read the cache. Concurrent first calls from several
 * processes compile once: the others wait on a lock file.
 */
export function loadProtocolArtifacts(
  options: LoadProtocolArtifactsOptions = {},
): Promise<ProtocolArtifacts> {
  const contractsDir =
    options.contractsDir ?? fileURLToPath(new URL('../contracts/', import.meta.url));
  const cacheDir =
    options.cacheDir ??
    process.env.PEERFRAME_CONTRACTS_CACHE_DIR ??
    fileURLToPath(new URL('../.cache/contracts/', import.meta.url));
  const key = `${contractsDir}\0${cacheDir}`;
  let promise = memo.get(key);
  if (!promise) {
    promise = load(contractsDir, cacheDir, options.lockTimeoutMs ?? 120_000);
    memo.set(key, promise);
    promise.catch(() => memo.delete(key));
  }
  return promise;
}

async function load(contractsDir: string, cacheDir: string, lockTimeoutMs: number) {
  const sources = await readSources(contractsDir);
  const solcVersion = (require('solc/package.json') as { version: string }).version;
  const sourceHash = `0x${createHash('sha256')
    .update(JSON.stringify({ solcVersion, settings: solcSettings, outputs, sources }))
    .digest('hex')}` as Hex;
  const cacheFile = join(cacheDir, `${sourceHash.slice(2)}.json`);

  const cached = await readCache(cacheFile);
  if (cached) return cached;

  await mkdir(cacheDir, { recursive: true });
  const lockFile = `${cacheFile}.lock`;
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    const lock = await open(lockFile, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (lock) {
      try {
        const again = await readCache(cacheFile);
        if (again) return again;
        const artifacts = compile(sources, sourceHash);
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(artifacts));
        await rename(tmp, cacheFile);
        return artifacts;
      } finally {
        await lock.close();
        await unlink(lockFile).catch(() => {});
      }
    }
    // Another process is compiling: wait for its output, or take over a stale lock.
    const done = await readCache(cacheFile);
    if (done) return done;
    const lockAgeMs = await stat(lockFile).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (lockAgeMs > lockTimeoutMs) await unlink(lockFile).catch(() => {});
    if (Date.now() > deadline) {
      throw new ContractCompilationError(`Timed out waiting for the compile lock ${lockFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The `.sol` files of `contractsDir` under their file names, and every file they import,
 * transitively, under its import path: package paths (`@openzeppelin/…`) are read from
 * node_modules, relative ones resolved against the importing file, as solc names them.
 */
async function readSources(contractsDir: string) {
  const files = (await readdir(contractsDir)).filter((f) => f.endsWith('.sol')).sort();
  if (files.length === 0) throw new ContractCompilationError(`No .sol files in ${contractsDir}`);
  const sources: Record<string, { content: string }> = {};
  const pending = files.map((file) => ({ unit: file, path: join(contractsDir, file) }));
  for (let next = pending.shift(); next; next = pending.shift()) {
    if (sources[next.unit]) continue;
    const content = await readFile(next.path, 'utf8').catch((error: unknown) => {
      throw new ContractCompilationError(`Cannot read ${next?.unit} (${next?.path})`, error);
    });
    sources[next.unit] = { content };
    for (const [, imported] of content.matchAll(/^\s*import\s+[^;]*?["']([^"']+)["']/gm)) {
      if (!imported) continue;
      const unit = imported.startsWith('.')
        ? posix.normalize(posix.join(posix.dirname(next.unit), imported))
        : imported;
      const path = unit.startsWith('@') ? resolvePackageFile(unit) : join(contractsDir, unit);
      pending.push({ unit, path });
    }
  }
  return Object.fromEntries(Object.entries(sources).sort(([a], [b]) => a.localeCompare(b)));
}

function resolvePackageFile(unit: string): string {
  const [scope, name, ...rest] = unit.split('/');
  try {
    return join(dirname(require.resolve(`${scope}/${name}/package.json`)), ...rest);
  } catch (error) {
    throw new ContractCompilationError(`Cannot resolve the import ${unit}`, error);
  }
}

async function readCache(cacheFile: string): Promise<ProtocolArtifacts | undefined> {
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as ProtocolArtifacts;
  } catch {
    return undefined;
  }
}

function compile(sources: Record<string, { content: string }>, sourceHash: Hex): ProtocolArtifacts {
  const solc = require('solc') as Solc;
  const outputSelection = Object.fromEntries(
    protocolContractNames.map((name) => [`${name}.sol`, { [name]: outputs }]),
  );
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources,
        settings: { ...solcSettings, outputSelection },
      }),
    ),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new ContractCompilationError(errors.map((e) => e.formattedMessage).join('\n'));
  }
  const artifacts: Partial<Record<ProtocolContractName, ContractArtifact>> = {};
  for (const name of protocolContractNames) {
    const contract = output.contracts?.[`${name}.sol`]?.[name];
    if (!contract) throw new ContractCompilationError(`No output for ${name}.sol:${name}`);
    artifacts[name] = {
      abi: contract.abi,
      bytecode: `0x${contract.evm.bytecode.object}`,
      deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
      linkReferences: Object.fromEntries(
        Object.entries(contract.evm.bytecode.linkReferences ?? {}).flatMap(([file, libraries]) =>
          Object.entries(libraries).map(([library, at]) => [`${file}:${library}`, at]),
        ),
      ),
      sourceHash,
    };
  }
  return artifacts as ProtocolArtifacts;
}
