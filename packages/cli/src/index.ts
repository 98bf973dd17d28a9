export { chainCommandNames, chainCommandsUsage, runChainCommand } from './chainCommands.ts';
export {
  type DevStack,
  type DevStackNode,
  type DevStackOptions,
  startDevStack,
} from './devStack.ts';
export { decryptEthKeystore, type EthKeystore, encryptEthKeystore } from './ethKeystore.ts';
