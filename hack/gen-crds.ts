// Writes crds/*.yaml from the zod schemas in src/apis (the single source of truth) and removes
// generated files for kinds that no longer exist.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CrdDefinitions } from '../src/apis/crd/definitions.js';
import { GeneratedHeader, crdFileName, renderCrdYaml } from '../src/apis/crd/generate.js';

const crdDir = join(import.meta.dirname, '..', 'crds');
const wanted = new Map(CrdDefinitions.map((definition) => [crdFileName(definition), renderCrdYaml(definition)]));

for (const [file, content] of wanted) {
  await writeFile(join(crdDir, file), content);
  console.log(`wrote crds/${file}`);
}
for (const file of await readdir(crdDir)) {
  if (!file.endsWith('.yaml') || wanted.has(file)) continue;
  const text = await readFile(join(crdDir, file), 'utf8');
  if (text.startsWith(GeneratedHeader)) {
    await rm(join(crdDir, file));
    console.log(`removed stale crds/${file}`);
  }
}
