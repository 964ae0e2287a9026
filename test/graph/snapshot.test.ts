/**
 * The mainnet snapshot reader on the real files of ../shared/data/ln-graph: the counts of
 * that folder's README (channels, nodes, enabled directions, total capacity, largest
 * connected component, the 2026 nodes with every channel disabled), and refusal of damaged
 * input.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DecodeError } from '../../src/lib/index.ts';
import { DIR_FLAGS, NetworkGraph, decodeSnapshot, loadSnapshot, parseNodeMap, type CompactGraphView } from '../../src/graph/index.ts';
import { gunzip, readNodeMapText, readSnapshotGzip, snapshotPath, type SnapshotName } from './snapshot-files.ts';

/** The README's table, parsed from the README itself. */
function readmeCounts(): Map<string, [string, string]> {
  const text = readFileSync(snapshotPath('README.md'), 'utf8');
  const out = new Map<string, [string, string]>();
  for (const line of text.split('\n')) {
    const m = /^\| ([a-z /]+) \| ([^|]+) \| ([^|]+) \|$/.exec(line.trim());
    if (m) out.set(m[1]!.trim(), [m[2]!.trim(), m[3]!.trim()]);
  }
  return out;
}

const num = (s: string): number => Number(s.replace(/[, BTC]/g, ''));

function largestComponent(v: CompactGraphView): number {
  const parent = new Int32Array(v.nodeCount).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (let c = 0; c < v.channelCount; c++) parent[find(v.channelNode1[c]!)] = find(v.channelNode2[c]!);
  const size = new Map<number, number>();
  for (let i = 0; i < v.nodeCount; i++) size.set(find(i), (size.get(find(i)) ?? 0) + 1);
  return Math.max(...size.values());
}

const readme = readmeCounts();

for (const [col, name] of [[0, '2024-09-22'], [1, '2026-02-03']] as [number, SnapshotName][]) {
  describe(`snapshot ${name}`, () => {
    const nodes = parseNodeMap(readNodeMapText(name));
    const snap = decodeSnapshot(gunzip(readSnapshotGzip(name)), nodes.length);
    const g = new NetworkGraph();
    loadSnapshot(g, snap, nodes, { timestamp: 1_700_000_000 });
    const v = g.view();

    test('channels and nodes match the README', () => {
      const [ch, nd] = readme.get('channels / nodes')![col]!.split('/').map(num);
      assert.equal(g.channelCount, ch);
      assert.equal(g.nodeCount, nd);
      assert.equal(nodes.length, nd);
    });

    test('enabled directions and total capacity match the README', () => {
      let enabled = 0;
      for (let e = 0; e < 2 * v.channelCount; e++) if (v.dirFlags[e]! & DIR_FLAGS.ENABLED) enabled++;
      assert.equal(enabled, num(readme.get('enabled directions')![col]!));
      let cap = 0;
      for (const c of v.capacitySat) cap += c;
      assert.equal(Math.round(cap / 1e7) / 10, num(readme.get('total capacity')![col]!));
    });

    test('the largest connected component matches the README', () => {
      assert.equal(largestComponent(v), num(readme.get('largest connected component')![col]!.replace('nodes', '')));
    });

    test('node ids and aliases come from the node map; policies are oriented from node_id_1', () => {
      assert.equal(g.node(nodes[0]!.nodeId)?.channels.length, Math.max(...[...g.nodes()].map((n) => n.channels.length)));
      for (const c of g.channels()) assert.ok(Buffer.compare(c.nodeId1, c.nodeId2) < 0);
      const first = g.node(nodes[0]!.nodeId)!.announcement!;
      assert.equal(new TextDecoder().decode(first.alias).replace(/\0+$/, ''), nodes[0]!.alias.slice(0, 32));
    });
  });
}

test('2026: nodes 53, 69, 72 and 86 have every channel disabled, with the README’s capacities', () => {
  const text = readFileSync(snapshotPath('README.md'), 'utf8');
  const ids = /nodes ([\d, and]+) have every channel disabled/.exec(text)![1]!.split(/,\s*|\s+and\s+/).map(Number);
  const caps = /capacities are ([\d,/ ]+) msat/.exec(text)![1]!.split('/').map((s) => BigInt(s.trim().replace(/,/g, '')));
  const nodes = parseNodeMap(readNodeMapText('2026-02-03'));
  const g = new NetworkGraph();
  loadSnapshot(g, decodeSnapshot(gunzip(readSnapshotGzip('2026-02-03')), nodes.length), nodes, { timestamp: 1 });
  ids.forEach((idx, i) => {
    const chans = g.channelsOf(nodes[idx]!.nodeId);
    assert.ok(chans.length > 0);
    for (const c of chans) assert.ok(c.policies[0]!.disabled && c.policies[1]!.disabled);
    assert.equal(chans.reduce((s, c) => s + c.capacity! * 1000n, 0n), caps[i]);
  });
});

test('damaged snapshots are refused with DecodeError', () => {
  const good = gunzip(readSnapshotGzip('2024-09-22'));
  assert.throws(() => decodeSnapshot(good.subarray(0, good.length - 1)), DecodeError);
  assert.throws(() => decodeSnapshot(new Uint8Array([...good, 0])), DecodeError);
  const badMagic = good.slice();
  badMagic[0] = 0x41;
  assert.throws(() => decodeSnapshot(badMagic), DecodeError);
  assert.throws(() => decodeSnapshot(good, 10), DecodeError); // node indexes beyond a 10-node map
  assert.throws(() => parseNodeMap('0:zz:alias\n'), DecodeError);
  assert.throws(() => parseNodeMap('1:' + '02'.repeat(33) + ':x\n'), DecodeError);
});
