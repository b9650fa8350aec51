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

/**
 * Node makes process.stdout and process.stderr on first use (~1 ms each, even for /dev/null): a
 * run that writes nothing to one (`-q` writes no output) does not make it here. Whoever uses a
 * stream first (our IO, a library, Node's own warnings, or Node's `Socket._destroy`, which
 * compares every closed socket with process.stderr) gets it with the closed-pipe handler on.
 */
function quietOnClosedPipeWhenMade(name: 'stdout' | 'stderr'): void {
  const d = Object.getOwnPropertyDescriptor(process, name);
  if (d?.get === undefined || !d.configurable) {
    quietOnClosedPipe(process[name]);
    return;
  }
  const make = d.get;
  let made = false;
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: d.enumerable,
    get() {
      const stream = make.call(process) as NodeJS.WriteStream;
      if (!made) {
        made = true;
        quietOnClosedPipe(stream);
      }
      return stream;
    },
  });
}

quietOnClosedPipeWhenMade('stdout');
quietOnClosedPipeWhenMade('stderr');

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
