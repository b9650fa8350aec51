// chalk's terminal detection (its vendored supports-color), replaced in the CLI bundle: it loads
// node:tty and reads the environment at start-up (~2 ms of every command) to set the level of
// chalk's default instance, which sysherd never uses — src/output/color.ts makes every Chalk with
// an explicit level, decided by `IO`. A default `chalk` import in the bundle would not colour.
export default { stdout: false, stderr: false };
