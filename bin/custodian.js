#!/usr/bin/env node
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18); no build step.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), process.env);
