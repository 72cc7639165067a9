import { Command } from "commander";
import { register } from './src/cli/serve.js';
const p = new Command('glassbox'); register(p);
await p.parseAsync(['node', 'glassbox', 'serve', '--port', '7861', '--data', '/tmp/gbw/data2']);
