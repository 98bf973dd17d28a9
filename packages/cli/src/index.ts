export { type DevStack, type DevStackOptions, startDevStack } from './devStack.ts';
