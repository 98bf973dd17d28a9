import { BaseError } from '@peerframe/core';

/** An optional module that is not installed; the message says what to do without it. */
export class OptionalModuleMissingError extends BaseError {
  override name = 'OptionalModuleMissingError';
  constructor(specifier: string, hint: string, cause: unknown) {
    super('optional_module_missing', `${specifier} is not installed: ${hint}`, { cause });
  }
}

/**
 * Imports a module the CLI can do without (e.g. the studio, which ships in the PeerFrame
 * repository only). Throws `OptionalModuleMissingError` with `hint` when the module itself is not
 * installed; any other failure (a module that is there but breaks, a dependency of it missing)
 * is thrown as it is.
 */
export async function importOptional<T>(specifier: string, hint: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const missing =
      error instanceof Error &&
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      error.message.includes(`'${specifier}'`);
    if (missing) throw new OptionalModuleMissingError(specifier, hint, error);
    throw error;
  }
}
