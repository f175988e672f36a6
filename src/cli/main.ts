import { runCli } from './program';

// With the exit code the command set: open connections must not keep the process alive. The exit
// waits for what was written to stdout and stderr to be handed over: a loaded machine's pipe can
// take a long listing (`waymark config`) more slowly than the command writes it, and
// process.exit() drops what is still queued (a test read 171 of its 236 lines).
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
