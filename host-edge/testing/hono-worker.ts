/**
 * A hono application in workerd with the gateway in front: `/strict/*` is the gateway's alone
 * (fallthrough: false), everything else falls through to the application when no route takes it.
 */
import { Hono } from 'hono';
import wasm from '../../build/switchyard.wasm';
import { switchyard } from '../hono.js';

const app = new Hono();
app.use('/strict/*', switchyard({ wasm, port: 80, kv: { refreshSeconds: 0 }, fallthrough: false }));
app.use('*', switchyard({ wasm, port: 80, kv: { refreshSeconds: 0 } }));
app.get('/app/hello', (c) => c.text('hello from the application'));
app.get('/strict/app', (c) => c.text('never reached: the gateway owns /strict'));

export default app;
