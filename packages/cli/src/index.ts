export {
  type DevStack,
  type DevStackNode,
  type DevStackOptions,
  startDevStack,
} from './devStack.ts';
