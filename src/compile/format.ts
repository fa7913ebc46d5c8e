/**
 * Constants of the compiled route table (see FORMAT.md for the full layout). The AssemblyScript
 * core mirrors these numbers in assembly/table.ts; a test checks that both agree.
 */

/** 'SWYD' read as a little-endian u32. */
export const MAGIC = 0x44595753;
export const FORMAT_VERSION = 2;

/** Header: 16 u32 words. Values are word indices. */
export const HEADER_WORDS = 16;
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_TOTAL_LEN = 2;
export const H_FLAGS = 3;
export const H_LISTENER_COUNT = 4;
export const H_LISTENERS_OFF = 5;
export const H_MATCH_COUNT = 6;
export const H_MATCHES_OFF = 7;
export const H_RULE_COUNT = 8;
export const H_RULES_OFF = 9;
export const H_HEADER_SLOTS = 10;
export const H_MAX_PREFIX_LEN = 11;
export const H_JSON_OFF = 12;
export const H_JSON_LEN = 13;
export const H_GATEWAY_COUNT = 14;
/** Offset of the rule text index: [count, (offset, byte length) per rule]. */
export const H_RULE_TEXTS_OFF = 15;

/** Header flags. */
export const FLAG_HAS_GRPC = 1;

/** Listener record: 6 words. */
export const LISTENER_WORDS = 6;
export const HOST_ANY = 0;
export const HOST_EXACT = 1;
export const HOST_WILDCARD = 2;

/** Match record: 12 words. */
export const MATCH_WORDS = 12;
export const PATH_EXACT = 0;
export const PATH_PREFIX = 1;
export const PATH_REGEX = 2;
export const PATH_GRPC = 3;
/** Match flags (word 1), above the 2 path-type bits. */
export const M_GRPC_REGEX = 1 << 2;
export const M_GRPC_SERVICE = 1 << 3;
export const M_GRPC_METHOD = 1 << 4;
/** Match flags bits 8-23: the match's index in its rule (hosts read it; the core ignores it). */
export const M_MATCH_INDEX_SHIFT = 8;

export const HEADER_PRED_WORDS = 4;
export const QUERY_PRED_WORDS = 5;
export const VALUE_EXACT = 0;
export const VALUE_REGEX = 1;

/** Rule record: 4 words; backend entry: 2 words. */
export const RULE_WORDS = 4;
export const BACKEND_WORDS = 2;
export const BACKEND_RESOLVED = 1;

/** Host index of a listener: 3 words; route group: 9 words. */
export const HOST_INDEX_WORDS = 3;
export const GROUP_WORDS = 9;

/** Hash map entry: 4 words (hash, keyOff, keyLen, valueOff); valueOff 0 marks an empty slot. */
export const MAP_ENTRY_WORDS = 4;
/** Path map values with this bit set hold a single match index (bits 0-30) instead of a list offset. */
export const SINGLE_MATCH = 0x80000000;
/** Path maps are sized so that at most 3/4 of their slots are used. */
export const MAP_MAX_LOAD_NUM = 3;
export const MAP_MAX_LOAD_DEN = 4;

/** Input region written by the host per request (i32 word indices). */
export const IN_METHOD_LEN = 0;
export const IN_HOST_LEN = 1;
export const IN_PATH_LEN = 2;
export const IN_PORT = 3;
export const IN_GATEWAY = 4;
export const IN_FLAGS = 5;
export const IN_OUT_LISTENER = 6;
export const IN_OUT_BACKEND = 7;
export const IN_OUT_STATUS = 8;
export const IN_METHOD_OFF = 9;
export const IN_HOST_OFF = 10;
export const IN_PATH_OFF = 11;
export const IN_SLOTS_OFF = 12;
export const IN_SLOT_CAP = 13;
/** Header slot lengths start at this word; -1 = header absent. */
export const IN_SLOT_LENS = 16;
export const IN_FLAG_GRPC = 1;

/** Results of the core's `match()` (match indices are >= 0). */
export const NO_LISTENER = -1;
export const NO_ROUTE = -2;
/** IN_OUT_STATUS values. */
export const STATUS_OK = 0;
export const STATUS_NO_BACKEND = 1;
export const STATUS_UNRESOLVED_BACKEND = 2;

/** Results of the core's `load()`. */
export const LOAD_OK = 0;
export const LOAD_BAD_MAGIC = 1;
export const LOAD_BAD_VERSION = 2;
export const LOAD_BAD_LENGTH = 3;
