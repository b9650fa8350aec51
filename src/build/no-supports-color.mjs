// chalk's terminal detection (its vendored supports-color), replaced in the CLI's bundles: it loads
// node:tty and reads the environment when chalk loads (~2 ms) to set the level of chalk's default
// instance. Only ora (dist/cli/ora.js, on a terminal) brings chalk now; sysherd's own colours are
// src/output/color.ts's, on or off as `IO` decides, and the spinner's frame is not coloured.
export default { stdout: false, stderr: false };
