/**
 * The front half of the pipeline as one call: load -> validate -> resolve.
 * Hosts and the CLI use this; each stage stays usable on its own.
 */
import { compileTable } from './compile/compile.js';
import type { TableManifest } from './compile/manifest.js';
import type { Diagnostic } from './diagnostics.js';
import { finishIngress, serveIngresses, type ServedIngresses } from './ingress/serve.js';
import { loadPaths, loadTexts, type KubeObject, type LoadResult, type TextInput } from './load/load.js';
import type { ValidObject } from './model/objects.js';
import { resolve } from './resolve/index.js';
import type { Resolution, ResolveOptions } from './resolve/types.js';
import { validate, type ValidationMemo } from './validate/index.js';

export interface PipelineResult {
  /** Objects that passed validation, defaulted. */
  objects: ValidObject[];
  resolution: Resolution;
  /** Loader, validation, Ingress translation and resolver findings, in that order. */
  diagnostics: Diagnostic[];
  /** Present when the input holds Ingresses: what was translated and served of them. */
  ingress?: ServedIngresses;
}

/** `memo`: validation results to reuse and extend across calls (see `ValidationMemo`). */
export function resolveLoaded(loaded: LoadResult, options: ResolveOptions = {}, memo?: ValidationMemo): PipelineResult {
  const validated = validate(loaded.objects, memo);
  // Ingresses of Switchyard's IngressClass are served as the Gateway API objects they translate to.
  const ingress = serveIngresses(validated.objects, options);
  const resolution = resolve(ingress ? [...validated.objects, ...ingress.objects] : validated.objects, options);
  if (ingress) finishIngress(resolution, ingress, options);
  return {
    objects: validated.objects,
    resolution,
    diagnostics: [...loaded.diagnostics, ...validated.diagnostics, ...(ingress?.diagnostics ?? []), ...resolution.diagnostics],
    ...(ingress ? { ingress } : {}),
  };
}

export function resolveTexts(inputs: readonly TextInput[], options: ResolveOptions = {}): PipelineResult {
  return resolveLoaded(loadTexts(inputs), options);
}

export async function resolvePaths(paths: readonly string[], options: ResolveOptions = {}): Promise<PipelineResult> {
  return resolveLoaded(await loadPaths(paths), options);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export interface CompileResult extends PipelineResult {
  /** The route table: the bytes every host loads (`createRouter(table)`). */
  table: Uint8Array;
  /** sha256 of the table, hex. */
  hash: string;
  manifest: TableManifest;
}

/**
 * The whole front half for library users: manifests (YAML/JSON text, text inputs with file
 * names, or objects) -> validated, resolved, compiled. Invalid objects are left out with
 * diagnostics, as everywhere; the table holds what is valid.
 */
export function compile(input: string | readonly TextInput[] | readonly KubeObject[], options: ResolveOptions = {}): CompileResult {
  const inputs: readonly TextInput[] =
    typeof input === 'string'
      ? [{ file: '<input>', text: input }]
      : input.length > 0 && 'text' in input[0]
        ? (input as readonly TextInput[])
        : [{ file: '<objects>', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: input }) }];
  const result = resolveTexts(inputs, options);
  const compiled = compileTable(result.resolution);
  return { ...result, table: compiled.table, hash: compiled.sha256, manifest: compiled.manifest };
}
