import { existsSync, readFileSync } from 'node:fs';
import { arbitrumOneProtocol, connectProtocol } from '@peerframe/protocol';
import { createPublicClient, type Hex, http } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { decryptEthKeystore } from '../ethKeystore.ts';
import { CliUsageError } from '../parseChainAmount.ts';
import { readSecret, readSecretFile } from '../readSecret.ts';
import type { ChainCommandContext, ChainCommandValues } from './chainCommandTypes.ts';
import { parseAddress } from './parseChainArguments.ts';

/** The networks `--network` names: their Controller, and the chain id the RPC must serve. */
const networks = { 'arbitrum-one': arbitrumOneProtocol } as const;
type NetworkName = keyof typeof networks;

/**
 * `--network <name>`, checked before anything touches the network: a known name, and not
 * together with `--controller`. Undefined when not given.
 */
export function parseNetwork(values: ChainCommandValues): NetworkName | undefined {
  const network = values.network;
  if (network === undefined) return undefined;
  if (typeof network !== 'string' || !Object.hasOwn(networks, network)) {
    throw new CliUsageError(
      `--network: "${String(network)}" is not a known network (${Object.keys(networks).join(', ')})`,
    );
  }
  if (values.controller !== undefined) {
    throw new CliUsageError('give --network or --controller, not both');
  }
  return network as NetworkName;
}

/**
 * Connects a chain command: `--rpc` (or PEERFRAME_RPC_URL), `--controller` or `--network`
 * (default Livepeer's on Arbitrum One: every address is read from the Controller, on a local
 * chain as on Livepeer's), and the key (`--key-file`, `--keystore` + `--password-file`, or
 * PEERFRAME_ETH_KEY), which a read-only command may go without. Bad or missing ones are a
 * `CliUsageError` naming them.
 */
export async function connectChainCommand(
  values: ChainCommandValues,
  options: { readOnly: boolean },
): Promise<ChainCommandContext> {
  const rpcUrl = (values.rpc as string | undefined) ?? process.env.PEERFRAME_RPC_URL;
  if (!rpcUrl) throw new CliUsageError('--rpc <url> is required (or PEERFRAME_RPC_URL)');
  try {
    const url = new URL(rpcUrl);
    if (!/^(https?|wss?):$/.test(url.protocol)) throw new Error(url.protocol);
  } catch {
    throw new CliUsageError(`--rpc: "${rpcUrl}" is not an http(s) or ws(s) URL`);
  }
  const privateKey = readKey(values, options.readOnly);
  const networkName = parseNetwork(values);
  let controller = values.controller ? parseAddress('--controller', values.controller) : undefined;
  if (!controller) {
    const network = networks[networkName ?? 'arbitrum-one'];
    const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
    if (chainId !== network.chainId) {
      throw new CliUsageError(
        networkName !== undefined
          ? `--network ${networkName}: the RPC serves chain ${chainId}, not chain ${network.chainId}`
          : `--controller <address> is required on chain ${chainId} (the default is Livepeer's on Arbitrum One, chain ${network.chainId})`,
      );
    }
    controller = network.controller;
  }
  // A read-only command without a key reads with a throwaway account; it signs nothing.
  const connection = await connectProtocol({
    rpcUrl,
    privateKey: privateKey ?? generatePrivateKey(),
    controller,
  });
  return { connection, keyGiven: privateKey !== undefined };
}

/** The key from --key-file, --keystore + --password-file, or PEERFRAME_ETH_KEY; required unless read-only. */
function readKey(values: ChainCommandValues, optional: boolean): Hex | undefined {
  const given = [values['key-file'], values.keystore].filter((v) => v !== undefined).length;
  if (given > 1) throw new CliUsageError('give --key-file or --keystore, not both');
  if (values['password-file'] !== undefined && values.keystore === undefined) {
    throw new CliUsageError('--password-file goes with --keystore');
  }
  if (values.keystore !== undefined) {
    const keystoreFile = values.keystore as string;
    const passwordFile = values['password-file'] as string | undefined;
    if (!passwordFile) throw new CliUsageError('--keystore needs --password-file <file>');
    if (!existsSync(keystoreFile))
      throw new CliUsageError(`--keystore: no file at ${keystoreFile}`);
    // The keystore is encrypted (its KDF is bounded); the password file must be private.
    const password = readSecretFile(passwordFile, '--password-file').replace(/\r?\n$/, '');
    return decryptEthKeystore(readFileSync(keystoreFile, 'utf8'), password);
  }
  const raw = readSecret('key', values);
  if (raw === undefined) {
    if (optional) return undefined;
    throw new CliUsageError(
      'a key is required: --key-file <file>, --keystore <file> --password-file <file>, or PEERFRAME_ETH_KEY',
    );
  }
  const hex = raw.replace(/^(0x)?/i, '0x');
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CliUsageError('the key must be 32 bytes of hex (64 hex digits, 0x optional)');
  }
  return hex as Hex;
}
