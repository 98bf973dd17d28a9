/**
 * The import rules between PeerFrame's packages (docs/architecture.md), checked by
 * `npm run lint:deps` (part of `npm run lint`, hence of `npm test` and CI). Workspace packages
 * resolve to their sources (the `source` export condition), so no build is needed first.
 */

/** Modules that open sockets or speak a network protocol. */
const network = [
  '^(node:)?(http|https|http2|net|tls|dgram)$',
  '^node_modules/(werift|mediasoup|socket\\.io|socket\\.io-client|engine\\.io|engine\\.io-client|ws|@roamhq/wrtc)/',
  // core's own network helpers, behind subpaths.
  '^packages/core/src/(http|wrtc)\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'gateway-orchestrator-apart',
      comment:
        'The gateway and the orchestrator talk over HTTP and WebRTC only, never by import; a test that needs both belongs in test/.',
      severity: 'error',
      from: { path: '^packages/(gateway|orchestrator)/' },
      to: { path: '^packages/(gateway|orchestrator)/', pathNot: '^packages/$1/' },
    },
    {
      name: 'pipelines-protocol-no-network',
      comment:
        "Pipelines (frames in, frames out) and the protocol (contracts, tickets) load no network code (HTTP, sockets, WebRTC), not even through another module: serving and streaming belong to the nodes. (A pipeline package's model is downloaded with the global fetch, which no import shows.) Their tests may serve fixtures over HTTP.",
      severity: 'error',
      from: { path: '^packages/(pipelines|protocol)/', pathNot: '\\.test\\.ts$' },
      to: { path: network, reachable: true },
    },
    {
      name: 'browser-safe',
      comment:
        "What runs in browsers (@peerframe/wire, @peerframe/core/browser, the client SDK's root entry) reaches no Node.js module and no logger, not even through another module.",
      severity: 'error',
      from: {
        path: '^packages/(wire/src/|core/src/browser\\.ts$|client-sdk/src/index\\.ts$)',
        pathNot: '\\.test\\.ts$',
      },
      to: { path: ['^(node:)?[a-z_0-9/]+$', '^node_modules/pino/'], reachable: true },
    },
    {
      name: 'packages-not-examples-or-tests',
      comment:
        'Packages are published; examples, cross-package tests, benchmarks and scripts are not. They may use packages, never the other way (the CLI loads the studio by name, as an optional module).',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(examples|test|bench|scripts)/' },
    },
  ],
  options: {
    includeOnly: '^(packages|examples|node_modules|test|bench|scripts)/|^(node:)?[a-z_0-9/]+$',
    exclude: { path: '(^|/)(dist|fixtures)/' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
      mainFields: ['module', 'main'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.node'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
