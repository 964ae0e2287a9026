/**
 * The RPC methods Kite offers, as schema data (see schema.ts). The daemon binds a handler to
 * each; the CLI reads these for argument checking and `kite help`.
 */
import type { MethodSpec } from './schema.ts';

export const METHODS: MethodSpec[] = [
  { name: 'getinfo', summary: 'Show this node: id, alias, network, addresses, peer and channel counts, block height.', params: [] },
  {
    name: 'connect',
    summary: 'Connect to a peer and keep the connection (reconnecting with backoff). `id` may be `node_id@host:port`.',
    params: [
      { name: 'id', type: 'string', required: true, description: 'node id, or node_id@host[:port]' },
      { name: 'host', type: 'string', description: 'host name or IP address' },
      { name: 'port', type: 'integer', description: 'TCP port (default 9735)' },
    ],
  },
  {
    name: 'listpeers',
    summary: 'List connected peers and peers we keep, with their addresses and negotiated features.',
    params: [{ name: 'id', type: 'pubkey', description: 'only this peer' }],
  },
  {
    name: 'disconnect',
    summary: 'Disconnect from a peer and stop reconnecting to it.',
    params: [
      { name: 'id', type: 'pubkey', required: true, description: 'node id of the peer' },
      { name: 'force', type: 'boolean', description: 'disconnect even with active channels' },
    ],
  },
  {
    name: 'ping',
    summary: 'Send a ping to a connected peer and wait for its pong; reports the round trip.',
    params: [
      { name: 'id', type: 'pubkey', required: true, description: 'node id of the peer' },
      { name: 'len', type: 'integer', description: 'pong bytes to ask for (default 128, at most 65531)' },
      { name: 'pongbytes', type: 'integer', description: 'ping padding bytes to send (default 128)' },
    ],
  },
  {
    name: 'decode',
    summary: 'Decode a BOLT 11 invoice (works offline in the CLI).',
    params: [{ name: 'string', type: 'string', required: true, description: 'the bolt11 invoice' }],
  },
  {
    name: 'newaddr',
    summary: 'Get a new on-chain receive address of the wallet.',
    params: [{ name: 'addresstype', type: 'string', description: 'bech32 (default), p2tr or all' }],
  },
  { name: 'listfunds', summary: 'List the wallet outputs (txid, output, amount_msat, status, address) and channel funds.', params: [] },
  {
    name: 'withdraw',
    summary: 'Send on-chain funds from the wallet to an address.',
    params: [
      { name: 'destination', type: 'string', required: true, description: 'a bitcoin address of this network' },
      { name: 'satoshi', type: 'amount_or_all', required: true, description: 'amount in satoshis, or "all"' },
      { name: 'feerate', type: 'feerate', description: 'N (sat/kw), Nperkw, Nperkb, urgent, normal or slow' },
    ],
  },
  {
    name: 'generate',
    summary: 'Regtest only: mine blocks on the chain backend (to the wallet unless an address is given).',
    params: [
      { name: 'blocks', type: 'integer', required: true, description: 'number of blocks (1-1000)' },
      { name: 'address', type: 'string', description: 'address to mine to' },
    ],
  },
  {
    name: 'faucet',
    summary: "Regtest only: have the embedded chain's faucet pay an address (default: a new wallet address).",
    params: [
      { name: 'satoshi', type: 'integer', required: true, description: 'amount in satoshis' },
      { name: 'address', type: 'string', description: 'address to pay' },
    ],
  },
  {
    name: 'invoice',
    summary: 'Create a BOLT 11 invoice; its preimage is stored before the invoice is returned.',
    params: [
      { name: 'amount_msat', type: 'msat_or_any', required: true, description: 'amount in millisatoshis, or "any"' },
      { name: 'label', type: 'string', required: true, description: 'a unique label' },
      { name: 'description', type: 'string', required: true, description: 'what the payment is for' },
      { name: 'expiry', type: 'integer', description: 'seconds until it expires (default 604800)' },
      { name: 'preimage', type: 'hex', description: '32-byte preimage (default: random)' },
    ],
  },
  {
    name: 'listinvoices',
    summary: 'List invoices, or the one with this label.',
    params: [{ name: 'label', type: 'string', description: 'only this label' }],
  },
  {
    name: 'waitinvoice',
    summary: 'Wait until the invoice is paid (or fails when it expires).',
    params: [{ name: 'label', type: 'string', required: true, description: 'the label' }],
  },
  {
    name: 'fundchannel',
    aliases: ['openchannel'],
    summary: 'Open a channel to a connected peer, funded from the wallet; returns channel_id and the funding txid.',
    params: [
      { name: 'id', type: 'pubkey', required: true, description: 'node id of the peer' },
      { name: 'amount', type: 'integer', required: true, description: 'channel capacity in satoshis' },
      { name: 'feerate', type: 'feerate', description: 'funding transaction feerate' },
      { name: 'announce', type: 'boolean', description: 'announce the channel (default true)' },
      { name: 'push_msat', type: 'integer', description: 'millisatoshis to give the peer at opening' },
    ],
  },
  {
    name: 'listpeerchannels',
    aliases: ['listchannels'],
    summary: 'List our channels with state, capacity, balances, HTLCs and channel type.',
    params: [{ name: 'id', type: 'pubkey', description: 'only channels with this peer' }],
  },
  {
    name: 'pay',
    summary: 'Pay a BOLT 11 invoice (for now, of a direct peer); returns payment_preimage and status.',
    params: [
      { name: 'bolt11', type: 'string', required: true, description: 'the invoice' },
      { name: 'amount_msat', type: 'integer', description: 'amount, for invoices without one' },
    ],
  },
  {
    name: 'listpays',
    summary: 'List outgoing payments and their status.',
    params: [{ name: 'bolt11', type: 'string', description: 'only this invoice' }],
  },
  {
    name: 'listclosedchannels',
    summary: 'List channels that are closed and fully resolved on chain, with how they ended.',
    params: [{ name: 'id', type: 'pubkey', description: 'only channels with this peer' }],
  },
  {
    name: 'close',
    summary:
      'Close a channel cooperatively (shutdown, then closing_signed) and return the closing transaction; with force, publish our latest commitment instead (unilateral close).',
    params: [
      { name: 'id', type: 'string', required: true, description: 'channel_id, short_channel_id or peer node id' },
      { name: 'destination', type: 'string', description: 'address to close to (default: the wallet)' },
      { name: 'feerate_range', type: 'string', description: 'closing feerates we accept, MIN,MAX (each N sat/kw, Nperkw, Nperkb, urgent, normal or slow); default 200 to 50,000 sat of fee' },
      { name: 'force', type: 'boolean', description: 'close unilaterally now by publishing our latest commitment (kite close <id> --force)' },
    ],
  },
  {
    name: 'dev-publish-revoked',
    summary: 'Developer: cheat on purpose by broadcasting one of our own revoked commitments (default: the one that paid us most).',
    developer: true,
    params: [
      { name: 'id', type: 'string', required: true, description: 'channel_id, short_channel_id or peer node id' },
      { name: 'number', type: 'integer', description: 'the commitment number to publish' },
      { name: 'htlcs', type: 'boolean', description: 'only consider revoked commitments carrying HTLC outputs' },
    ],
  },
  {
    name: 'dev-hold-revoke',
    summary: 'Developer: stop sending revoke_and_ack on a channel so updates stay in flight; hold=false releases it (by reconnecting, which retransmits).',
    developer: true,
    params: [
      { name: 'id', type: 'string', required: true, description: 'channel_id, short_channel_id or peer node id' },
      { name: 'hold', type: 'boolean', description: 'true (default) to hold, false to release' },
    ],
  },
  {
    name: 'dev-hold-htlcs',
    summary: 'Developer: mark incoming payments paid but hold back their update_fulfill_htlc (hold=false sends the held ones).',
    developer: true,
    params: [{ name: 'hold', type: 'boolean', description: 'true (default) to hold, false to release' }],
  },
  {
    name: 'dev-feerate',
    summary: 'Developer: send update_fee with this commitment feerate now (we must be the funder).',
    developer: true,
    params: [
      { name: 'id', type: 'string', required: true, description: 'channel_id, short_channel_id or peer node id' },
      { name: 'feerate', type: 'integer', required: true, description: 'commitment feerate in sat per 1000 weight' },
    ],
  },
  { name: 'stop', summary: 'Shut the daemon down cleanly.', params: [] },
  {
    name: 'help',
    summary: 'List the commands, or describe one.',
    params: [{ name: 'command', type: 'string', description: 'a command name' }],
  },
];

/** findMethod looks a method up by name or alias. */
export function findMethod(name: string, specs: MethodSpec[] = METHODS): MethodSpec | undefined {
  return specs.find((m) => m.name === name || m.aliases?.includes(name));
}
