#!/usr/bin/env node
// The published entry point: the compiled CLI (built by `npm run build`, which `npm install` runs).
import '../dist/src/cli/bin.js';
