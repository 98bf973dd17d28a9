export { chainCommandNames, chainCommandsUsage, runChainCommand } from './chainCommands.ts';
export {
  type DevStack,
  type DevStackNode,
  type DevStackOptions,
  NodeExitedError,
  startDevStack,
} from './devStack.ts';
export { decryptEthKeystore, type EthKeystore, encryptEthKeystore } from './ethKeystore.ts';
export { loadStudio, type StudioModule } from './loadStudio.ts';
export { type DevChain, startDevChain } from './startDevChain.ts';
export {
  RedisServer,
  RedisServerError,
  type RedisServerOptions,
  startRedisServer,
} from './startRedisServer.ts';
