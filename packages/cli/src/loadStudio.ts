import { importOptional } from './importOptional.ts';

/**
 * What `peerframe dev` uses of the demo studio (`@peerframe/studio`'s `startStudio`). Written here
 * because the studio is an example of the PeerFrame repository, not a dependency of the published
 * CLI: packages never import examples. `test/integration/devStack.test.ts` checks that the studio
 * satisfies it.
 */
export type StudioModule = {
  startStudio(options: {
    gatewayUrl: string;
    host: string;
    port: number;
  }): Promise<{ url: string; close(): Promise<void> }>;
};

/** Loads the demo studio, or says that it is not installed and how to do without it. */
export function loadStudio(): Promise<StudioModule> {
  return importOptional<StudioModule>(
    '@peerframe/studio',
    'the demo studio ships in the PeerFrame repository only (run `npm start` in a clone of it), or run `peerframe dev --no-studio`',
  );
}
