import { DuplicateNodeTypeError } from './errors.ts';
import type { NodeDefinition } from './WorkflowTypes.ts';

/** Node types by `class_type`: what workflows may use. */
export class NodeRegistry {
  readonly #definitions = new Map<string, NodeDefinition>();

  /** Adds node types. A `class_type` already taken throws `DuplicateNodeTypeError`. */
  register(...definitions: readonly NodeDefinition[]): this {
    for (const definition of definitions) {
      if (this.#definitions.has(definition.classType)) {
        throw new DuplicateNodeTypeError(definition.classType);
      }
      this.#definitions.set(definition.classType, definition);
    }
    return this;
  }

  get(classType: string): NodeDefinition | undefined {
    return this.#definitions.get(classType);
  }

  has(classType: string): boolean {
    return this.#definitions.has(classType);
  }

  /** Registered class types, in registration order. */
  classTypes(): string[] {
    return [...this.#definitions.keys()];
  }

  /** A copy, to add nodes without changing this one. */
  clone(): NodeRegistry {
    return new NodeRegistry().register(...this.#definitions.values());
  }
}
