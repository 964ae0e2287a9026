/**
 * Layer 5 adapter: Kite's chain backend over Bitcoin Core's JSON-RPC — a real bitcoind or
 * kite-chain over HTTP. The in-process binding to the embedded regtest chain is
 * `embeddedBackend` in ./embedded.ts, kept out of this index so that a bitcoind node does
 * not load the embedded chain's code.
 */
export * from './backend.ts';
export * from './http-rpc.ts';
export * from './raw-block.ts';
export * from './poller.ts';
