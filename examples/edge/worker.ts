/**
 * The example worker: the table `switchyard compile` wrote, the core module, and the origins
 * of the example's Services, served on the example Gateway's listener port (8080).
 */
import wasm from '../../build/switchyard.wasm';
import { createWorker } from '../../host-edge/index.js';
import backends from './backends.generated.js';
import table from './table.bin';

export default createWorker({ table, wasm, backends, port: 8080 });
