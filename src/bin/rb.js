#!/usr/bin/env node
// rb's entry: run src/main.ts through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
