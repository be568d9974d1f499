#!/usr/bin/env -S node --max-semi-space-size=4
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18); no build step.
// --max-semi-space-size=4 (MB; V8's default young generation is several times larger): the server's garbage is
// short-lived (requests, export batches); with the default, a 190 000-item export kept about twice the heap it
// used (≈ 95 MB committed against ≈ 50 MB with this flag) and peaked about 60 MB higher, for no less CPU. The same
// flags are in package.json's `start` script; `bench/portal.ts` runs the export under them (read from line 1).
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), process.env);
