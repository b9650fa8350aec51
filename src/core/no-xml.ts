/**
 * Stand-in for dbus-next's XML dependencies (fast-xml-parser, fast-xml-builder) in the CLI
 * bundle only (esbuild --alias). They serve introspection and exported service objects, which
 * sysherd never uses (hard-coded signatures, client only); leaving them out saves ~160 KB of
 * bundle and their load time at every start. The library build uses the real packages.
 */
class NoXml {
  constructor(_options?: unknown) {}
  build(): never {
    throw new Error('D-Bus introspection XML is not available in the sysherd CLI bundle');
  }
  parse(): never {
    throw new Error('D-Bus introspection XML is not available in the sysherd CLI bundle');
  }
}

export default NoXml;
export { NoXml as XMLParser, NoXml as XMLBuilder };
