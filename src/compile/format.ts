/**
 * Constants of the compiled route table (see FORMAT.md for the full layout). The AssemblyScript
 * core mirrors these numbers in assembly/table.ts; a test checks that both agree.
 */

/** 'SWYD' read as a little-endian u32. */
export const MAGIC = 0x44595753;
export const FORMAT_VERSION = 3;

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
/**
 * Offset of the rule text index: [count, texts offset, texts length, offset of every
 * RULE_TEXT_BLOCK-th text]. Rule texts are JSON values, one per line.
 */
export const H_RULE_TEXTS_OFF = 15;
export const RULE_TEXT_BLOCK = 32;

/** Header flags. */
export const FLAG_HAS_GRPC = 1;

/** Listener record: 6 words. */
export const LISTENER_WORDS = 6;
export const HOST_ANY = 0;
export const HOST_EXACT = 1;
export const HOST_WILDCARD = 2;

/**
 * Match record: 1 word. Without M_EXT: the rule index (bits 0-23) and the match's index in its
 * rule (bits 24-30); the match has no predicate beyond its path key. With M_EXT: bits 0-30 are
 * the offset of its extension record (EXT_WORDS words: rule index, flags, then the predicates).
 */
export const MATCH_WORDS = 1;
export const M_EXT = 0x80000000;
export const M_RULE_MASK = 0xffffff;
export const M_INLINE_INDEX_SHIFT = 24;
/** Match indices in a rule above this need the extension record. */
export const M_INLINE_INDEX_MAX = 0x7f;
export const EXT_WORDS = 12;
export const PATH_EXACT = 0;
export const PATH_PREFIX = 1;
export const PATH_REGEX = 2;
export const PATH_GRPC = 3;
/** Extension flags (word 1), above the 2 path-type bits. */
export const M_GRPC_REGEX = 1 << 2;
export const M_GRPC_SERVICE = 1 << 3;
export const M_GRPC_METHOD = 1 << 4;
/** Extension flags bits 8-23: the match's index in its rule (hosts read it; the core ignores it). */
export const M_MATCH_INDEX_SHIFT = 8;

export const HEADER_PRED_WORDS = 4;
export const QUERY_PRED_WORDS = 5;
export const VALUE_EXACT = 0;
export const VALUE_REGEX = 1;

/**
 * Rule record: 1 word, the offset of its backend list `[total weight, entry...]` (0 = no
 * backends); backend entry: 1 word, the weight in bits 0-30 and BACKEND_RESOLVED. Identical
 * lists are stored once.
 */
export const RULE_WORDS = 1;
export const BACKEND_WORDS = 1;
export const BACKEND_RESOLVED = 0x80000000;
export const BACKEND_WEIGHT_MASK = 0x7fffffff;

/** Host index of a listener: 3 words; route group: 9 words. */
export const HOST_INDEX_WORDS = 3;
export const GROUP_WORDS = 9;

/**
 * Hash map: [capacity, count] then packed 6-byte entries (u16 hash tag, u32 key record offset;
 * offset 0 marks an empty slot). Key record (packed): value, length word (key byte length in
 * bits 0-15, shared-prefix length in bits 16-31), the shared prefix's offset when that length
 * is not 0, then the key bytes after the shared prefix.
 */
export const MAP_ENTRY_BYTES = 6;
export const KEY_WORDS = 2;
/** Keys (and shared prefixes) are at most this many bytes. */
export const MAX_KEY_LEN = 0xffff;
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
