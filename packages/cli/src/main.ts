#!/usr/bin/env node
// `peerframe <command>`. Each command loads only the modules it runs: a chain or pipeline command
// never loads the nodes' media stack (FFmpeg, ONNX Runtime, WebRTC), which is most of what a
// start of the CLI costs.

const helpWords: ReadonlySet<string | undefined> = new Set([undefined, 'help', '--help', '-h']);

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (helpWords.has(command)) {
    // `peerframe help <command>` is `peerframe <command> --help`.
    const [topic] = rest;
    if (command === 'help' && topic !== undefined && !helpWords.has(topic)) {
      return main([topic, '--help']);
    }
    const { cliUsage } = await import('./cliUsage.ts');
    process.stdout.write(cliUsage);
    return;
  }
  if (command === 'install-cuda') {
    const { runInstallCuda } = await import('./installCudaCommand.ts');
    process.exitCode = await runInstallCuda();
    return;
  }
  if (command === 'pipeline') {
    const { runPipelineCommand } = await import('./pipelineCommands.ts');
    process.exitCode = await runPipelineCommand(rest);
    return;
  }
  if (command === 'orchestrator' && rest[0] === 'worker-credential') {
    const { runWorkerCredentialCommand } = await import('./workerCommands.ts');
    process.exitCode = runWorkerCredentialCommand(rest.slice(1));
    return;
  }
  // The nodes load the protocol's modules too: this costs them nothing.
  const { chainCommandNames, runChainCommand } = await import('./chainCommands.ts');
  if (command && chainCommandNames.has(command)) {
    process.exitCode = await runChainCommand(command, rest);
    return;
  }
  const { runNodeCommand } = await import('./runNodeCommand.ts');
  await runNodeCommand(command, rest);
}

main(process.argv.slice(2)).catch(async (error: unknown) => {
  process.stderr.write(`peerframe: ${error instanceof Error ? error.message : String(error)}\n`);
  // Loaded already by whichever command threw one.
  const { CliUsageError } = await import('./parseChainAmount.ts');
  process.exit(error instanceof CliUsageError ? 2 : 1);
});
