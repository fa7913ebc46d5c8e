/**
 * A recording backend as its own process (battery B9: an endpoint that is `kill -9`'d):
 * `tsx spec-tests/reliability/backend-main.ts <name>` listens on a loopback port and prints
 * `{"port":<n>}` on stdout once it accepts connections.
 */
import { startRecordingBackend } from './support.js';

const backend = await startRecordingBackend(process.argv[2] ?? 'backend');
process.stdout.write(JSON.stringify({ port: backend.port }) + '\n');
process.on('SIGTERM', () => void backend.close().then(() => process.exit(0)));
