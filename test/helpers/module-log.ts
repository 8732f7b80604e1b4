// Preloaded with `node --import` into a command under test: registers module-log-hooks.js,
// which writes the URL of every ES module the process loads to the file named by
// ATLAS_TEST_MODULE_LOG. Tells which chunks of the bundled command a run loaded.
import { register } from 'node:module';

register('./module-log-hooks.js', import.meta.url);
