/**
 * Reading a compiled table's header and manifest on the host side. A table this code does not
 * understand is refused here with a clear error before it reaches a core.
 */
import * as F from '../compile/format.js';
import type { TableManifest } from '../compile/manifest.js';
import { ManifestReader, type WireManifest } from '../compile/wire.js';

export class TableFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableFormatError';
  }
}

export interface TableHeader {
  version: number;
  totalLength: number;
  listenerCount: number;
  matchCount: number;
  ruleCount: number;
  headerSlots: number;
  maxPrefixLen: number;
  jsonOffset: number;
  jsonLength: number;
}

export function readTableHeader(table: Uint8Array): TableHeader {
  if (table.length < F.HEADER_WORDS * 4) throw new TableFormatError(`route table too short (${table.length} bytes)`);
  const v = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const word = (i: number): number => v.getUint32(i * 4, true);
  if (word(F.H_MAGIC) !== F.MAGIC) throw new TableFormatError('not a Switchyard route table (bad magic)');
  const version = word(F.H_VERSION);
  if (version !== F.FORMAT_VERSION) {
    throw new TableFormatError(`route table format version ${version} is not supported (this build reads version ${F.FORMAT_VERSION})`);
  }
  const totalLength = word(F.H_TOTAL_LEN);
  if (totalLength !== table.length) throw new TableFormatError(`route table length ${table.length} does not match its header (${totalLength})`);
  const header: TableHeader = {
    version,
    totalLength,
    listenerCount: word(F.H_LISTENER_COUNT),
    matchCount: word(F.H_MATCH_COUNT),
    ruleCount: word(F.H_RULE_COUNT),
    headerSlots: word(F.H_HEADER_SLOTS),
    maxPrefixLen: word(F.H_MAX_PREFIX_LEN),
    jsonOffset: word(F.H_JSON_OFF),
    jsonLength: word(F.H_JSON_LEN),
  };
  if (header.jsonOffset + header.jsonLength > table.length) throw new TableFormatError('route table manifest lies outside the table');
  return header;
}

export function readManifest(table: Uint8Array, header: TableHeader = readTableHeader(table)): TableManifest {
  return manifestReader(table, header).manifest();
}

/** The table's manifest, expanded on demand (rules and matches on first use). */
export function manifestReader(table: Uint8Array, header: TableHeader = readTableHeader(table)): ManifestReader {
  const text = new TextDecoder().decode(table.subarray(header.jsonOffset, header.jsonOffset + header.jsonLength));
  const wire = JSON.parse(text) as WireManifest;
  if (wire.format !== header.version) throw new TableFormatError(`route table manifest format ${wire.format} does not match the table (${header.version})`);
  return new ManifestReader(wire, table);
}
