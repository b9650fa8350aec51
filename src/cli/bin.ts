/**
 * The bundled CLI's entry: wire up the process (closed pipes, signals), run `main`, set the exit
 * code. `process.exitCode`, not `process.exit()`, so output is flushed.
 */
import { processIO } from '../output/io.js';
import { installInterruptHandlers } from './interrupt.js';
import { main } from './main.js';

function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      // The reader went away (`sysherd list-units | head`): nothing more can be written; leave quietly.
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    }
    throw err;
  });
}

quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);

const io = processIO();
installInterruptHandlers(io);

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sysherd: internal error: ${String(err)}\n`);
    process.exitCode = 70;
  },
);
