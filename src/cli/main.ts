import { runCli } from './program';

// With the exit code the command set: open connections must not keep the process alive.
void runCli(process.argv.slice(2)).then((code) => process.exit(code));
