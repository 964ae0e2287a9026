/**
 * Command-line flags of kite-chain in bitcoind's style.
 */

/** parseArgs reads bitcoind-style flags (`-x=y`, `--x=y`, `--x y`). */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--?([a-zA-Z][a-zA-Z0-9-]*)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument '${a}'`);
    let v = m[2];
    if (v === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('-') && !['nofaucet', 'help', 'regtest', 'printtoconsole'].includes(m[1])) v = argv[++i];
    out.set(m[1].toLowerCase(), v ?? '1');
  }
  return out;
}
