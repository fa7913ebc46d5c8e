/**
 * The front half of the pipeline as one call: load -> validate -> resolve.
 * Hosts and the CLI use this; each stage stays usable on its own.
 */
import type { Diagnostic } from './diagnostics.js';
import { loadPaths, loadTexts, type LoadResult, type TextInput } from './load/load.js';
import type { ValidObject } from './model/objects.js';
import { resolve } from './resolve/index.js';
import type { Resolution, ResolveOptions } from './resolve/types.js';
import { validate } from './validate/index.js';

export interface PipelineResult {
  /** Objects that passed validation, defaulted. */
  objects: ValidObject[];
  resolution: Resolution;
  /** Loader, validation and resolver findings, in that order. */
  diagnostics: Diagnostic[];
}

export function resolveLoaded(loaded: LoadResult, options: ResolveOptions = {}): PipelineResult {
  const validated = validate(loaded.objects);
  const resolution = resolve(validated.objects, options);
  return {
    objects: validated.objects,
    resolution,
    diagnostics: [...loaded.diagnostics, ...validated.diagnostics, ...resolution.diagnostics],
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
