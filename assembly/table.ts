// Layout constants of the route table and the input region. They mirror
// src/compile/format.ts (a test compares both files); FORMAT.md describes the layout.

export const MAGIC: u32 = 0x44595753; // 'SWYD'
export const FORMAT_VERSION: u32 = 3;
export const HEADER_WORDS: u32 = 16;

export const H_MAGIC: u32 = 0;
export const H_VERSION: u32 = 1;
export const H_TOTAL_LEN: u32 = 2;
export const H_FLAGS: u32 = 3;
export const H_LISTENER_COUNT: u32 = 4;
export const H_LISTENERS_OFF: u32 = 5;
export const H_MATCH_COUNT: u32 = 6;
export const H_MATCHES_OFF: u32 = 7;
export const H_RULE_COUNT: u32 = 8;
export const H_RULES_OFF: u32 = 9;
export const H_HEADER_SLOTS: u32 = 10;
export const H_MAX_PREFIX_LEN: u32 = 11;

export const LISTENER_WORDS: u32 = 6;
export const HOST_ANY: u32 = 0;
export const HOST_EXACT: u32 = 1;
export const HOST_WILDCARD: u32 = 2;

export const MATCH_WORDS: u32 = 1;
export const M_EXT: u32 = 0x80000000;
export const M_RULE_MASK: u32 = 0xffffff;
export const PATH_GRPC: u32 = 3;
export const M_GRPC_REGEX: u32 = 1 << 2;
export const M_GRPC_SERVICE: u32 = 1 << 3;
export const M_GRPC_METHOD: u32 = 1 << 4;

export const HEADER_PRED_WORDS: u32 = 4;
export const QUERY_PRED_WORDS: u32 = 5;
export const VALUE_EXACT: u32 = 0;

export const RULE_WORDS: u32 = 1;
export const BACKEND_WORDS: u32 = 1;
export const BACKEND_RESOLVED: u32 = 0x80000000;
export const BACKEND_WEIGHT_MASK: u32 = 0x7fffffff;

export const MAP_ENTRY_BYTES: u32 = 6;
export const KEY_WORDS: u32 = 2;
export const SINGLE_MATCH: u32 = 0x80000000;

export const IN_METHOD_LEN: u32 = 0;
export const IN_HOST_LEN: u32 = 1;
export const IN_PATH_LEN: u32 = 2;
export const IN_PORT: u32 = 3;
export const IN_GATEWAY: u32 = 4;
export const IN_FLAGS: u32 = 5;
export const IN_OUT_LISTENER: u32 = 6;
export const IN_OUT_BACKEND: u32 = 7;
export const IN_OUT_STATUS: u32 = 8;
export const IN_METHOD_OFF: u32 = 9;
export const IN_HOST_OFF: u32 = 10;
export const IN_PATH_OFF: u32 = 11;
export const IN_SLOTS_OFF: u32 = 12;
export const IN_SLOT_CAP: u32 = 13;
export const IN_SLOT_LENS: u32 = 16;
export const IN_FLAG_GRPC: i32 = 1;

export const NO_LISTENER: i32 = -1;
export const NO_ROUTE: i32 = -2;
export const STATUS_OK: i32 = 0;
export const STATUS_NO_BACKEND: i32 = 1;
export const STATUS_UNRESOLVED_BACKEND: i32 = 2;

export const LOAD_OK: i32 = 0;
export const LOAD_BAD_MAGIC: i32 = 1;
export const LOAD_BAD_VERSION: i32 = 2;
export const LOAD_BAD_LENGTH: i32 = 3;

/** u32 word `index` of the record at `ptr`. */
// @ts-ignore: decorator
@inline export function word(ptr: usize, index: u32): u32 {
  return load<u32>(ptr + (<usize>index << 2));
}
