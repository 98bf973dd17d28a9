/**
 * The browser-safe entry (`@peerframe/core/browser`): no Node.js modules, no logger. The root
 * entry (`@peerframe/core`) is for Node.js.
 */
export { BaseError, type BaseErrorOptions } from './BaseError.ts';
export {
  PortableTypedEmitter,
  PortableTypedEmitter as TypedEmitter,
} from './PortableTypedEmitter.ts';
