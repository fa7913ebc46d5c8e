export { compileTable, HTTP_PROTOCOLS, type CompiledTable } from './compile.js';
export { FORMAT_VERSION, MAGIC } from './format.js';
export type { BackendInfo, ListenerInfo, MatchInfo, MatchPath, RuleInfo, TableManifest } from './manifest.js';
